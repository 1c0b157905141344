using System.Diagnostics;
using System.Text;
using MassTransit;
using Messaging.Dispatcher;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Platform.Data;
using Platform.Messaging;
using RabbitMQ.Client;
using Testing;
using Xunit;
using Xunit.Abstractions;

namespace Messaging.Tests;

/// <summary>
/// The fault cases of the outbox/inbox against a real RabbitMQ node and real PostgreSQL: each counts
/// events raised, delivered and applied and asserts none lost and none applied twice.
/// </summary>
[Collection(BrokerFaults.Name)]
public sealed class OutboxInboxFaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_rolled_back_business_transaction_raises_no_event()
    {
        var (consumer, producer) = await StartPairAsync();
        await using var _ = consumer;
        await using var __ = producer;

        var rolledBack = await producer.WithDbAsync(async db =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            var ping = await db.RaisePingAsync("team-1", 1);
            await transaction.RollbackAsync();
            return ping;
        });
        var committed = await producer.WithDbAsync(db => db.RaisePingAsync("team-1", 2));

        await Eventually.UntilAsync(async () => (await AppliedAsync(consumer)).Count >= 1, Patience, "the committed event is applied");
        // Give a wrongly published rolled-back event the time the committed one needed, and more.
        await Task.Delay(500);
        var applied = await AppliedAsync(consumer);
        var outbox = await producer.WithDbAsync(db => db.Set<OutboxMessage>().AsNoTracking().ToListAsync());

        Figure("rollback", raised: 1, consumer);
        Assert.Equal([committed.EventId], applied.Select(a => a.EventId));
        Assert.DoesNotContain(outbox, o => o.MessageId == rolledBack.EventId);
        Assert.Equal(1, MessagingCounts.Delivered(consumer.Endpoint));
    }

    [Fact]
    public async Task Events_raised_while_the_broker_is_down_are_all_delivered_after_it_restarts()
    {
        await using var broker = await RabbitMqNode.StartNewAsync();
        var postgres = await SharedPostgres.GetAsync();
        await using var consumer = await StartServiceAsync(await postgres.CreateDatabaseAsync(), broker.ConnectionString, "consumer", consumes: true);
        await using var producer = await StartServiceAsync(await postgres.CreateDatabaseAsync(), broker.ConnectionString, "producer", consumes: false);
        Assert.Equal(HealthStatus.Healthy, await producer.HealthAsync("broker"));

        await broker.StopAsync();
        var raised = new List<PingRaised>();
        for (var i = 1; i <= 20; i++)
        {
            raised.Add(await producer.WithDbAsync(db => db.RaisePingAsync($"team-{i % 4}", i)));
        }
        await Eventually.UntilAsync(async () => await producer.HealthAsync("broker") != HealthStatus.Healthy, Patience, "the producer reports the broker down");
        await Eventually.UntilAsync(() => Task.FromResult(MessagingCounts.PublishFailed(producer.Endpoint) > 0), Patience, "publishing fails while the broker is down");
        Assert.Empty(await AppliedAsync(consumer));
        Assert.Equal(20, await producer.WithDbAsync(db => db.Set<OutboxMessage>().CountAsync(o => o.SentAt == null)));

        await broker.StartAsync();
        output.WriteLine($"broker restarted in {broker.StartupTime.TotalSeconds:F1} s");
        await Eventually.UntilAsync(async () => (await AppliedAsync(consumer)).Count >= 20, Patience, "all 20 events are applied");
        await Eventually.UntilAsync(async () => await producer.HealthAsync("broker") == HealthStatus.Healthy, Patience, "the producer reports the broker healthy again");

        Figure("broker restarted", raised.Count, consumer);
        AssertAppliedOnce(raised, await AppliedAsync(consumer));
        Assert.Equal(0, await producer.WithDbAsync(db => db.Set<OutboxMessage>().CountAsync(o => o.SentAt == null)));
    }

    [Fact]
    public async Task A_dispatcher_killed_between_publish_and_mark_sent_is_redelivered_and_applied_once()
    {
        var postgres = await SharedPostgres.GetAsync();
        var rabbit = await SharedRabbitMq.GetAsync();
        var vhost = await rabbit.CreateVirtualHostAsync();
        var producerDb = await postgres.CreateDatabaseAsync();
        await using var consumer = await StartServiceAsync(await postgres.CreateDatabaseAsync(), vhost, "consumer", consumes: true);

        // Rows committed before any dispatcher runs; one aggregate, so the first publish freezes the round.
        var options = new DbContextOptionsBuilder<FaultTestDb>().UseNpgsql(producerDb)
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning)).Options;
        var raised = new List<PingRaised>();
        await using (var db = new FaultTestDb(options))
        {
            await db.Database.MigrateAsync();
            for (var i = 1; i <= 5; i++)
            {
                raised.Add(await db.RaisePingAsync("team-1", i));
            }
        }

        var dispatcherDll = Path.Combine(AppContext.BaseDirectory, "Messaging.Dispatcher.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { dispatcherDll, producerDb, vhost, $"producer-child-{_id}" })
        {
            info.ArgumentList.Add(argument);
        }
        using var child = Process.Start(info)!;
        string? published = null;
        try
        {
            using var wait = new CancellationTokenSource(Patience);
            while (published is null && await child.StandardOutput.ReadLineAsync(wait.Token) is { } line)
            {
                if (line.StartsWith("PUBLISHED ", StringComparison.Ordinal))
                {
                    published = line["PUBLISHED ".Length..];
                }
            }
        }
        finally
        {
            child.Kill(); // SIGKILL: no chance to mark anything sent.
            await child.WaitForExitAsync();
        }
        Assert.Equal(raised[0].EventId.ToString(), published);

        await using (var db = new FaultTestDb(options))
        {
            Assert.Equal(5, await db.Set<OutboxMessage>().CountAsync(o => o.SentAt == null));
        }
        await Eventually.UntilAsync(async () => (await AppliedAsync(consumer)).Count >= 1, Patience, "the event published before the kill is applied");

        await using var restarted = await StartServiceAsync(producerDb, vhost, "producer", consumes: false);
        await Eventually.UntilAsync(async () => (await AppliedAsync(consumer)).Count >= 5, Patience, "all 5 events are applied");
        await Eventually.UntilAsync(() => Task.FromResult(MessagingCounts.Duplicates(consumer.Endpoint) >= 1), Patience, "the redelivery is suppressed");

        Figure("dispatcher killed", raised.Count, consumer);
        AssertAppliedOnce(raised, await AppliedAsync(consumer));
        Assert.Equal(6, MessagingCounts.Delivered(consumer.Endpoint));
        Assert.Equal(1, MessagingCounts.Duplicates(consumer.Endpoint));
    }

    [Fact]
    public async Task The_same_message_delivered_twice_and_concurrently_is_applied_once()
    {
        var (consumer, producer) = await StartPairAsync();
        await using var _ = consumer;
        await using var __ = producer;
        var bus = producer.Services.GetRequiredService<IBus>();

        var pings = Enumerable.Range(1, 10)
            .Select(i => new PingRaised { EventId = Guid.NewGuid(), OccurredAt = DateTimeOffset.UtcNow, Stream = $"team-{i}", Number = i })
            .ToList();
        const int copies = 5;
        await Task.WhenAll(pings.SelectMany(p => Enumerable.Range(0, copies).Select(_ =>
            bus.Publish(p, context => context.MessageId = p.EventId))));

        await Eventually.UntilAsync(() => Task.FromResult(
            MessagingCounts.Applied(consumer.Endpoint) + MessagingCounts.Duplicates(consumer.Endpoint) >= pings.Count * copies),
            Patience, "every copy is either applied or suppressed");

        Figure("duplicates", pings.Count, consumer);
        AssertAppliedOnce(pings, await AppliedAsync(consumer));
        Assert.Equal(pings.Count * copies, MessagingCounts.Delivered(consumer.Endpoint));
        Assert.Equal(pings.Count * (copies - 1), MessagingCounts.Duplicates(consumer.Endpoint));
    }

    [Fact]
    public async Task Messages_handled_at_once_commit_together_and_a_poison_one_among_them_costs_the_others_nothing()
    {
        var (consumer, producer) = await StartPairAsync();
        await using var _ = consumer;
        await using var __ = producer;
        // A slow first transaction lets the others pile up behind it, as under load.
        consumer.Behaviour.Delay = TimeSpan.FromMilliseconds(20);
        var bus = producer.Services.GetRequiredService<IBus>();

        var pings = Enumerable.Range(1, 300)
            .Select(i => new PingRaised { EventId = Guid.NewGuid(), OccurredAt = DateTimeOffset.UtcNow, Stream = $"team-{i % 7}", Number = i, Poison = i % 100 == 0 })
            .ToList();
        await Task.WhenAll(pings.Select(p => bus.Publish(p, context => context.MessageId = p.EventId)));
        var healthy = pings.Where(p => !p.Poison).ToList();
        await Eventually.UntilAsync(async () => (await AppliedAsync(consumer)).Count >= healthy.Count, Patience, "the 297 healthy pings are applied");
        await Eventually.UntilAsync(() => Task.FromResult(MessagingCounts.Failed(consumer.Endpoint) >= 3 * 4), Patience, "each poison ping failed on every attempt");

        var transactions = healthy.Select(p => consumer.Behaviour.Transactions[p.EventId]).ToList();
        var largest = transactions.GroupBy(t => t).Max(g => g.Count());
        output.WriteLine($"group commit: {healthy.Count} pings applied in {transactions.Distinct().Count()} transactions (largest {largest})");
        Figure("group commit with poison", pings.Count, consumer);
        AssertAppliedOnce(healthy, await AppliedAsync(consumer));
        Assert.True(largest > 1, "messages waiting at the same moment share one transaction");
        Assert.DoesNotContain(Guid.Empty, transactions);
        Assert.Equal(healthy.Count, MessagingCounts.Applied(consumer.Endpoint));
        Assert.Equal(0, MessagingCounts.Duplicates(consumer.Endpoint));
    }

    [Fact]
    public async Task A_database_restarted_under_a_consumer_loses_nothing()
    {
        var postgres = await SharedPostgres.GetAsync();
        var rabbit = await SharedRabbitMq.GetAsync();
        var vhost = await rabbit.CreateVirtualHostAsync();
        await using var consumerCluster = await PostgresCluster.StartNewAsync();
        await using var consumer = await StartServiceAsync(await consumerCluster.CreateDatabaseAsync(), vhost, "consumer", consumes: true,
            // Few quick retries, so only the outage retries (rounds 0.5 s apart) can outlast the 4 s stop.
            tune: o =>
            {
                o.ConsumerRetryLimit = 2;
                o.ConsumerRetryMaxBackoff = TimeSpan.FromMilliseconds(300);
                o.ConsumerOutageRetryInterval = TimeSpan.FromMilliseconds(500);
            });
        consumer.Behaviour.Delay = TimeSpan.FromMilliseconds(30);
        await using var producer = await StartServiceAsync(await postgres.CreateDatabaseAsync(), vhost, "producer", consumes: false);

        var raised = new List<PingRaised>();
        for (var i = 1; i <= 40; i++)
        {
            raised.Add(await producer.WithDbAsync(db => db.RaisePingAsync($"team-{i % 4}", i)));
        }
        await Eventually.UntilAsync(async () => (await AppliedAsync(consumer)).Count >= 5, Patience, "the consumer is applying events");

        await consumerCluster.StopAsync();
        Assert.Equal(HealthStatus.Unhealthy, await consumer.HealthAsync("database"));
        await Task.Delay(4000);
        await consumerCluster.StartAsync();

        await Eventually.UntilAsync(async () => await consumer.HealthAsync("database") == HealthStatus.Healthy, Patience, "the consumer reports its database healthy again");
        await Eventually.UntilAsync(async () => (await AppliedAsync(consumer)).Count >= 40, Patience, "all 40 events are applied");

        Figure("database restarted", raised.Count, consumer);
        AssertAppliedOnce(raised, await AppliedAsync(consumer));
    }

    [Fact]
    public async Task A_poison_message_goes_to_the_error_queue_with_its_reason_and_the_others_flow()
    {
        var (consumer, producer) = await StartPairAsync();
        await using var _ = consumer;
        await using var __ = producer;

        var raised = new List<PingRaised>();
        for (var i = 1; i <= 10; i++)
        {
            raised.Add(await producer.WithDbAsync(db => db.RaisePingAsync($"team-{i}", i, poison: i == 5)));
        }
        var healthy = raised.Where(p => !p.Poison).ToList();
        await Eventually.UntilAsync(async () => (await AppliedAsync(consumer)).Count >= healthy.Count, Patience, "the 9 healthy events are applied");

        var factory = new ConnectionFactory { Uri = new Uri(_vhost!) };
        await using var connection = await factory.CreateConnectionAsync();
        BasicGetResult? fault = null;
        await Eventually.UntilAsync(async () =>
        {
            // A channel per look: asking for a queue that does not exist yet closes the channel.
            await using var channel = await connection.CreateChannelAsync();
            try
            {
                fault = await channel.BasicGetAsync($"{consumer.Endpoint}_error", autoAck: true);
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
            }
            return fault is not null;
        }, Patience, "the poison message is in the error queue");
        var reason = Encoding.UTF8.GetString((byte[])fault!.BasicProperties.Headers!["MT-Fault-Message"]!);
        output.WriteLine($"error queue {consumer.Endpoint}_error: message {fault.BasicProperties.MessageId}, reason \"{reason}\"");

        Figure("poison", raised.Count, consumer);
        AssertAppliedOnce(healthy, await AppliedAsync(consumer));
        Assert.Equal(raised[4].EventId.ToString(), fault.BasicProperties.MessageId);
        Assert.Contains("ping 5 is poison", reason);
    }

    [Fact]
    public async Task Two_dispatchers_on_one_outbox_publish_every_event_once_in_order_per_aggregate()
    {
        var postgres = await SharedPostgres.GetAsync();
        var rabbit = await SharedRabbitMq.GetAsync();
        var vhost = await rabbit.CreateVirtualHostAsync();
        var producerDb = await postgres.CreateDatabaseAsync();
        // One message at a time, so the queue's order is the order applied.
        await using var consumer = await StartServiceAsync(await postgres.CreateDatabaseAsync(), vhost, "consumer", consumes: true,
            tune: o => o.ConcurrentMessageLimit = 1);
        await using var first = await StartServiceAsync(producerDb, vhost, "producer-a", consumes: false, tune: o => o.DispatchBatchSize = 20);
        await using var second = await StartServiceAsync(producerDb, vhost, "producer-b", consumes: false, tune: o => o.DispatchBatchSize = 20);

        const int streams = 10, perStream = 20;
        var raised = (await Task.WhenAll(Enumerable.Range(0, streams).Select(async s =>
        {
            var writer = s % 2 == 0 ? first : second;
            var pings = new List<PingRaised>();
            for (var n = 1; n <= perStream; n++)
            {
                pings.Add(await writer.WithDbAsync(db => db.RaisePingAsync($"team-{s}", n)));
            }
            return pings;
        }))).SelectMany(p => p).ToList();

        await Eventually.UntilAsync(async () => (await AppliedAsync(consumer)).Count >= raised.Count, Patience, "all 200 events are applied");
        var applied = await AppliedAsync(consumer);

        var byFirst = MessagingCounts.Published(first.Endpoint);
        var bySecond = MessagingCounts.Published(second.Endpoint);
        output.WriteLine($"published by dispatcher A: {byFirst}, by B: {bySecond}");
        Figure("two dispatchers", raised.Count, consumer);
        AssertAppliedOnce(raised, applied);
        Assert.Equal(raised.Count, byFirst + bySecond);
        Assert.Equal(raised.Count, MessagingCounts.Delivered(consumer.Endpoint));
        foreach (var stream in applied.OrderBy(a => a.Id).GroupBy(a => a.Stream))
        {
            Assert.Equal(Enumerable.Range(1, perStream), stream.Select(a => a.Number));
        }
    }

    [Fact]
    public async Task An_unroutable_publish_counts_as_failed_and_is_delivered_once_a_queue_is_bound()
    {
        var postgres = await SharedPostgres.GetAsync();
        var rabbit = await SharedRabbitMq.GetAsync();
        var vhost = await rabbit.CreateVirtualHostAsync();
        await using var producer = await StartServiceAsync(await postgres.CreateDatabaseAsync(), vhost, "producer", consumes: false);

        var raised = new List<PingRaised>();
        for (var i = 1; i <= 3; i++)
        {
            raised.Add(await producer.WithDbAsync(db => db.RaisePingAsync($"team-{i}", i)));
        }
        await Eventually.UntilAsync(() => producer.WithDbAsync(db => db.Set<OutboxMessage>().AllAsync(o => o.Attempts > 0 && o.SentAt == null)),
            Patience, "every publish was returned and recorded as failed");
        var error = await producer.WithDbAsync(db => db.Set<OutboxMessage>().Select(o => o.LastError).FirstAsync());
        output.WriteLine($"outbox LastError while no queue is bound: {error}");

        await using var consumer = await StartServiceAsync(await postgres.CreateDatabaseAsync(), vhost, "consumer", consumes: true);
        await Eventually.UntilAsync(async () => (await AppliedAsync(consumer)).Count >= 3, Patience, "the events are delivered once a queue is bound");

        Figure("unroutable", raised.Count, consumer);
        AssertAppliedOnce(raised, await AppliedAsync(consumer));
        Assert.Contains("return", error, StringComparison.OrdinalIgnoreCase);
    }

    private string? _vhost;

    private async Task<(TestService Consumer, TestService Producer)> StartPairAsync()
    {
        var postgres = await SharedPostgres.GetAsync();
        var rabbit = await SharedRabbitMq.GetAsync();
        _vhost = await rabbit.CreateVirtualHostAsync();
        var consumer = await StartServiceAsync(await postgres.CreateDatabaseAsync(), _vhost, "consumer", consumes: true);
        var producer = await StartServiceAsync(await postgres.CreateDatabaseAsync(), _vhost, "producer", consumes: false);
        return (consumer, producer);
    }

    /// <summary>Starts a service on its own endpoint; it migrates its database (a no-op when already migrated).</summary>
    /// <summary>
    /// Outbox rows written in one INSERT (<see cref="IntegrationEvents.OutboxInsertCommand"/>, the
    /// intake's group commit) instead of SaveChanges: committing the context's transaction wakes the
    /// dispatcher at once, as SaveChanges' commit does, and every event is delivered once, in order
    /// per aggregate. The dispatcher polls only once an hour here, so a missing wake-up shows: rows
    /// inserted the same way but without the outbox command wait.
    /// </summary>
    [Fact]
    public async Task Rows_inserted_in_one_statement_wake_the_dispatcher_on_commit_and_are_delivered_once_in_order()
    {
        var postgres = await SharedPostgres.GetAsync();
        var rabbit = await SharedRabbitMq.GetAsync();
        var vhost = await rabbit.CreateVirtualHostAsync();
        await using var consumer = await StartServiceAsync(await postgres.CreateDatabaseAsync(), vhost, "consumer", consumes: true,
            tune: o => o.ConcurrentMessageLimit = 1); // one at a time: applied in queue order
        await using var producer = await StartServiceAsync(await postgres.CreateDatabaseAsync(), vhost, "producer", consumes: false,
            tune: o => o.DispatchPollInterval = TimeSpan.FromHours(1));

        // One event the usual way: the dispatcher has run its rounds and now waits for a wake-up.
        var raised = new List<PingRaised> { await producer.WithDbAsync(db => db.RaisePingAsync("warm", 1)) };
        await Eventually.UntilAsync(async () => (await AppliedAsync(consumer)).Count == 1, Patience, "the first event is applied");

        // The control: outbox rows inserted by a plain bulk INSERT and committed are not announced.
        var unannounced = Pings("quiet", 3);
        await InsertBulkAsync(producer, unannounced, db => PostgresBulkInsert.Command(db, unannounced.Select(p => IntegrationEvents.OutboxMessageFor(p, p.Stream)).ToList()));
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Single(await AppliedAsync(consumer));

        // The outbox command: 60 events on 3 aggregates in one statement; the commit wakes the
        // dispatcher, whose round also takes the control's rows.
        var bulk = Enumerable.Range(0, 3).SelectMany(s => Pings($"stream-{s}", 20)).ToList();
        await InsertBulkAsync(producer, bulk, db => db.OutboxInsertCommand(bulk.Select(p => IntegrationEvents.OutboxMessageFor(p, p.Stream)).ToList()));
        raised.AddRange(unannounced);
        raised.AddRange(bulk);
        await Eventually.UntilAsync(async () => (await AppliedAsync(consumer)).Count >= raised.Count, Patience,
            "the bulk-inserted events are applied without waiting for the hourly poll");

        var applied = await AppliedAsync(consumer);
        Assert.Equal(raised.Select(p => p.EventId).Order(), applied.Select(a => a.EventId).Order());
        foreach (var stream in applied.Where(a => a.Stream.StartsWith("stream-", StringComparison.Ordinal)).OrderBy(a => a.Id).GroupBy(a => a.Stream))
        {
            Assert.Equal(Enumerable.Range(1, 20), stream.Select(a => a.Number));
        }

        var unsent = await producer.WithDbAsync(db => db.Set<OutboxMessage>().CountAsync(m => m.SentAt == null));
        Assert.Equal(0, unsent);
    }

    private static List<PingRaised> Pings(string stream, int count) =>
        Enumerable.Range(1, count).Select(n => new PingRaised { EventId = Guid.NewGuid(), OccurredAt = DateTimeOffset.UtcNow, Stream = stream, Number = n }).ToList();

    /// <summary>The pings' state rows and their outbox rows in one transaction of the context, committed through it.</summary>
    private static Task InsertBulkAsync(TestService service, List<PingRaised> pings, Func<FaultTestDb, NpgsqlBatchCommand> outbox) =>
        service.WithDbAsync(async db =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await using var batch = new NpgsqlBatch((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)transaction.GetDbTransaction());
            batch.BatchCommands.Add(PostgresBulkInsert.Command(db, pings.Select(p => new Ping { Id = p.EventId, Stream = p.Stream, Number = p.Number }).ToList()));
            batch.BatchCommands.Add(outbox(db));
            await batch.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
        });

    private async Task<TestService> StartServiceAsync(string database, string rabbitMq, string role, bool consumes,
        Action<MessagingOptions>? tune = null)
    {
        MessagingCounts.Touch();
        return await TestService.StartAsync(output, TestService.Postgres(database), rabbitMq, $"{role}-{_id}", consumes, tune);
    }

    private static Task<List<AppliedPing>> AppliedAsync(TestService consumer) =>
        consumer.WithDbAsync(db => db.AppliedPings.AsNoTracking().OrderBy(a => a.Id).ToListAsync());

    private static void AssertAppliedOnce(IReadOnlyCollection<PingRaised> raised, IReadOnlyCollection<AppliedPing> applied)
    {
        Assert.Equal(raised.Select(p => p.EventId).Order(), applied.Select(a => a.EventId).Order());
        Assert.Equal(applied.Count, applied.Select(a => a.EventId).Distinct().Count());
    }

    private void Figure(string name, int raised, TestService consumer) =>
        output.WriteLine($"{name}: raised {raised} / delivered {MessagingCounts.Delivered(consumer.Endpoint)} / " +
                         $"applied {MessagingCounts.Applied(consumer.Endpoint)} / duplicates suppressed {MessagingCounts.Duplicates(consumer.Endpoint)}");
}
