using Messaging.Dispatcher;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using Platform.Data;
using Platform.Messaging;
using Testing;
using Xunit;
using Xunit.Abstractions;

namespace Messaging.Tests;

/// <summary>
/// Outbox rows written in one INSERT (<see cref="IntegrationEvents.OutboxInsertCommand"/>, the
/// intake's group commit) instead of SaveChanges, on real PostgreSQL and RabbitMQ: committing the
/// context's transaction wakes the dispatcher at once, as SaveChanges' commit does, and every
/// event is delivered once, in order per aggregate. The dispatcher polls only once an hour here,
/// so a missing wake-up shows: rows inserted the same way but without the outbox command wait.
/// </summary>
public sealed class OutboxBulkInsertTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Rows_inserted_in_one_statement_wake_the_dispatcher_on_commit_and_are_delivered_once_in_order()
    {
        var postgres = await SharedPostgres.GetAsync();
        var rabbit = await SharedRabbitMq.GetAsync();
        var vhost = await rabbit.CreateVirtualHostAsync();
        await using var consumer = await TestService.StartAsync(output, TestService.Postgres(await postgres.CreateDatabaseAsync()), vhost,
            $"consumer-{_id}", consumes: true, tune: o => o.ConcurrentMessageLimit = 1); // one at a time: applied in queue order
        await using var producer = await TestService.StartAsync(output, TestService.Postgres(await postgres.CreateDatabaseAsync()), vhost,
            $"producer-{_id}", consumes: false, tune: o => o.DispatchPollInterval = TimeSpan.FromHours(1));

        // One event the usual way: the dispatcher has run its rounds and now waits for a wake-up.
        var raised = new List<PingRaised> { await producer.WithDbAsync(db => db.RaisePingAsync("warm", 1)) };
        await Eventually.UntilAsync(async () => (await AppliedAsync(consumer)).Count == 1, Patience, "the first event is applied");

        // The control: outbox rows inserted by a plain bulk INSERT and committed are not announced.
        var unannounced = Pings("quiet", 3);
        await InsertAsync(producer, unannounced, db => PostgresBulkInsert.Command(db, unannounced.Select(p => IntegrationEvents.OutboxMessageFor(p, p.Stream)).ToList()));
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Single(await AppliedAsync(consumer));

        // The outbox command: 60 events on 3 aggregates in one statement; the commit wakes the
        // dispatcher, whose round also takes the control's rows.
        var bulk = Enumerable.Range(0, 3).SelectMany(s => Pings($"stream-{s}", 20)).ToList();
        await InsertAsync(producer, bulk, db => db.OutboxInsertCommand(bulk.Select(p => IntegrationEvents.OutboxMessageFor(p, p.Stream)).ToList()));
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
    private static Task InsertAsync(TestService service, List<PingRaised> pings, Func<FaultTestDb, NpgsqlBatchCommand> outbox) =>
        service.WithDbAsync(async db =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await using var batch = new NpgsqlBatch((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)transaction.GetDbTransaction());
            batch.BatchCommands.Add(PostgresBulkInsert.Command(db, pings.Select(p => new Ping { Id = p.EventId, Stream = p.Stream, Number = p.Number }).ToList()));
            batch.BatchCommands.Add(outbox(db));
            await batch.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
        });

    private static Task<List<AppliedPing>> AppliedAsync(TestService consumer) =>
        consumer.WithDbAsync(db => db.AppliedPings.AsNoTracking().OrderBy(a => a.Id).ToListAsync());
}
