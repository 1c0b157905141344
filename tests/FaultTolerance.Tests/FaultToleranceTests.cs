using System.Diagnostics;
using System.Text.Json;
using Grpc.Core;
using MassTransit;
using Wsis.Contracts.Events;
using Xunit.Abstractions;

namespace FaultTolerance.Tests;

/// <summary>
/// Issue 10, fault tolerance: during a sustained intake through the public gRPC API, one fault at a
/// time (each test its own consultation, on one shared cluster). After each: every accepted
/// submission is stored once, published once and counted once in Reporting; nothing is stored that
/// no client had accepted. The figures are printed: accepted / stored / published / counted /
/// duplicates suppressed.
/// </summary>
public sealed class FaultToleranceTests(FaultCluster fixture, ITestOutputHelper output) : IClassFixture<FaultCluster>
{
    private const int Clients = 8;
    private static readonly TimeSpan Before = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan After = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_Consultations_instance_killed_mid_intake_loses_and_doubles_nothing()
    {
        var killed = fixture.Cluster.Consultations[0];
        await RunAsync("kill", async () =>
        {
            await killed.KillAsync();
            output.WriteLine($"killed {killed.Name} (SIGKILL); its clients fail over to the other instance");
        }, restore: async () =>
        {
            await fixture.Cluster.RestartAsync(killed);
            output.WriteLine($"restarted {killed.Name}");
        });
    }

    [Fact]
    public async Task RabbitMQ_restarted_mid_intake_loses_and_doubles_nothing()
    {
        var rabbit = fixture.Cluster.RabbitMq;
        await RunAsync("rabbitmq", async () =>
        {
            await rabbit.StopAsync();
            output.WriteLine("RabbitMQ stopped");
            await rabbit.StartAsync();
            output.WriteLine($"RabbitMQ started again ({rabbit.StartupTime.TotalSeconds:0.0} s to boot)");
        });
    }

    [Fact]
    public async Task PostgreSQL_restarted_mid_intake_loses_and_doubles_nothing()
    {
        var postgres = fixture.Cluster.Postgres;
        await RunAsync("postgres", async () =>
        {
            await postgres.StopAsync();
            output.WriteLine("PostgreSQL stopped (fast: sessions cut)");
            await postgres.StartAsync();
            output.WriteLine("PostgreSQL started again");
        });
    }

    [Fact]
    public async Task The_network_to_the_broker_dropped_mid_intake_loses_and_doubles_nothing()
    {
        var cluster = fixture.Cluster;
        var publishers = cluster.Consultations.Select(cluster.BrokerProxy).ToList();
        var consumer = cluster.BrokerProxy(cluster.Reporting);
        await RunAsync("network", async () =>
        {
            // First the publishing side (both Consultations instances, so no dispatcher can publish),
            // then the consuming side (Reporting), each cut for a few seconds.
            foreach (var proxy in publishers)
            {
                await proxy.DropAsync();
            }

            output.WriteLine("network Consultations ⇄ RabbitMQ dropped (connections reset, new ones refused)");
            await Task.Delay(TimeSpan.FromSeconds(4));
            foreach (var proxy in publishers)
            {
                proxy.Restore();
            }

            await consumer.DropAsync();
            output.WriteLine("network Consultations ⇄ RabbitMQ restored; network Reporting ⇄ RabbitMQ dropped");
            await Task.Delay(TimeSpan.FromSeconds(4));
            consumer.Restore();
            output.WriteLine("network Reporting ⇄ RabbitMQ restored");
        });
        output.WriteLine($"connections cut: Consultations {publishers.Sum(p => p.Cut)}, Reporting {consumer.Cut}; " +
            $"refused while down: Consultations {publishers.Sum(p => p.Refused)}, Reporting {consumer.Refused}");
        Assert.True(publishers.All(p => p.Cut > 0) && consumer.Cut > 0, "every service had its broker connection cut");
    }

    [Fact]
    public async Task Duplicates_from_clients_and_from_the_broker_are_each_applied_once()
    {
        var cluster = fixture.Cluster;
        var copies = 0;
        var figures = await RunAsync("duplicates", fault: () => Task.CompletedTask, resubmitAll: true, afterSettled: async (ledger, holdings) =>
        {
            // The broker delivers again what it already delivered (a redelivery after a lost ack, a
            // publisher retrying after a lost confirm): copies of the published events, with the
            // same message ids, through the exchange Reporting's queue is bound to.
            var bus = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(cluster.RabbitMq.Host, (ushort)cluster.RabbitMq.Port, "/", h =>
            {
                h.Username(cluster.RabbitMq.UserName);
                h.Password(cluster.RabbitMq.Password);
            }));
            await bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
            try
            {
                foreach (var (messageId, payload) in await ledger.PayloadsAsync())
                {
                    var published = JsonSerializer.Deserialize<ResponsePublished>(payload, JsonSerializerOptions.Web)!;
                    await bus.Publish(published, context => context.MessageId = messageId);
                    copies++;
                }
            }
            finally
            {
                await bus.StopAsync();
            }

            output.WriteLine($"published {copies} copies of ResponsePublished (same message ids) to RabbitMQ");
            var before = holdings.BrokerDuplicatesSuppressed;
            var clock = Stopwatch.StartNew();
            var now = holdings;
            while (now.BrokerDuplicatesSuppressed < before + copies && clock.Elapsed < Patience)
            {
                await Task.Delay(500);
                now = await ledger.ReadAsync();
            }

            return now;
        });
        Assert.True(copies > 0, "copies were delivered");
        Assert.True(figures.BrokerDuplicatesSuppressed >= copies,
            $"Reporting's inbox ignored {figures.BrokerDuplicatesSuppressed} duplicates; {copies} copies were delivered");
    }

    /// <summary>
    /// Opens a consultation, runs the intake, injects the fault after <see cref="Before"/>, keeps the
    /// intake going for <see cref="After"/>, stops it (in-flight submissions retried to acceptance),
    /// restores, resubmits the retried requests (and all, with <paramref name="resubmitAll"/>),
    /// waits until things settle, prints the figures and asserts them.
    /// </summary>
    private async Task<Holdings> RunAsync(string tag, Func<Task> fault, Func<Task>? restore = null, bool resubmitAll = false,
        Func<Ledger, Holdings, Task<Holdings>>? afterSettled = null)
    {
        var clock = Stopwatch.StartNew();
        await fixture.EnsureWholeAsync();
        var consultationId = await fixture.OpenConsultationAsync($"Fault tolerance: {tag}");
        var intake = new SustainedIntake(fixture.ConsultationsChannels, consultationId, $"{tag}-{Guid.NewGuid():N}"[..(tag.Length + 9)]);
        intake.Start(Clients);
        await Task.Delay(Before);
        var acceptedBefore = intake.Accepted.Count;
        await fault();
        await Task.Delay(After);
        await intake.StopAsync(Patience);
        output.WriteLine($"intake: {Clients} clients, {intake.Accepted.Count} accepted ({acceptedBefore} before the fault), " +
            $"{intake.Retries} retries ({intake.RetryCodes}), {clock.Elapsed.TotalSeconds:0.0} s");
        if (restore is not null)
        {
            await restore();
        }

        Assert.Empty(intake.Refused);
        Assert.Empty(intake.Abandoned);
        // A fault is answered with a status clients know to retry (UNAVAILABLE), never UNKNOWN (a
        // handler exception), which a standard gRPC retry policy would give up on.
        Assert.DoesNotContain(StatusCode.Unknown, intake.RetryCodeSet);

        // Clients that never saw an answer send again; so does a user pressing the button twice.
        var again = resubmitAll ? intake.Accepted.Keys.ToList() : intake.Retried.Concat(intake.Accepted.Keys.Take(20)).Distinct().ToList();
        var mismatches = await intake.ResubmitAsync(again, Clients);
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} resubmissions were not answered with the first receipt, e.g. {mismatches.FirstOrDefault()}");

        var ledger = new Ledger(fixture.Cluster, consultationId);
        var holdings = await ledger.SettleAsync(intake.Accepted.Count, Patience);
        if (afterSettled is not null)
        {
            holdings = await afterSettled(ledger, holdings);
        }

        var published = holdings.Outbox.Where(o => o.Sent).Select(o => o.ResponseId).ToList();
        output.WriteLine(
            $"{tag}: accepted {intake.Accepted.Count} / stored {holdings.Stored.Count} / published {published.Count} / counted {holdings.Counted.Count} / " +
            $"duplicates suppressed {intake.RetriesAnsweredWithEarlierReceipt + again.Count + holdings.BrokerDuplicatesSuppressed} " +
            $"({intake.RetriesAnsweredWithEarlierReceipt} client retries answered with the earlier receipt, {again.Count} resubmissions, " +
            $"{holdings.BrokerDuplicatesSuppressed} broker deliveries ignored by Reporting's inbox); {clock.Elapsed.TotalSeconds:0.0} s; " +
            $"receive-endpoint restarts by Reporting's watchdog since it started: {WatchdogRestarts(fixture.Cluster.Reporting.Output())}");

        try
        {
            AssertOnce(intake, holdings);
        }
        catch
        {
            output.WriteLine(fixture.Cluster.Logs(4000));
            throw;
        }

        return holdings;
    }

    /// <summary>Warnings of Platform.Messaging's receive-endpoint watchdog in a service's log (see platform/Messaging/README.md).</summary>
    private static int WatchdogRestarts(string log) => log.Split('\n').Count(l => l.Contains("while the broker accepts connections; restarting", StringComparison.Ordinal));

    private static void AssertOnce(SustainedIntake intake, Holdings holdings)
    {
        var receipts = intake.Accepted.ToDictionary(a => a.Key, a => Guid.Parse(a.Value.ResponseId));
        Assert.True(receipts.Values.Distinct().Count() == receipts.Count, "each accepted request has its own response");

        // Stored exactly once: one row per accepted request, the row its receipt names; nothing else.
        var doubled = holdings.Stored.GroupBy(s => s.RequestId).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(doubled.Count == 0, $"{doubled.Count} requests stored more than once, e.g. {doubled.FirstOrDefault()}");
        var notAccepted = holdings.Stored.Where(s => !receipts.ContainsKey(s.RequestId)).ToList();
        Assert.True(notAccepted.Count == 0, $"{notAccepted.Count} stored responses no client was given a receipt for, e.g. {notAccepted.FirstOrDefault().RequestId}");
        var storedIds = holdings.Stored.ToDictionary(s => s.RequestId, s => s.ResponseId);
        var missing = receipts.Where(r => !storedIds.TryGetValue(r.Key, out var id) || id != r.Value).Select(r => r.Key).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} accepted responses are not stored as their receipt says, e.g. {missing.FirstOrDefault()}");

        // Published exactly once: one ResponsePublished outbox row per stored response, sent.
        var events = holdings.Outbox.GroupBy(o => o.ResponseId).ToDictionary(g => g.Key, g => g.ToList());
        var unpublished = receipts.Values.Where(id => !events.ContainsKey(id.ToString())).ToList();
        Assert.True(unpublished.Count == 0, $"{unpublished.Count} accepted responses have no ResponsePublished event");
        var doubleEvents = events.Where(e => e.Value.Count > 1).ToList();
        Assert.True(doubleEvents.Count == 0, $"{doubleEvents.Count} responses have more than one ResponsePublished event");
        var unsent = holdings.Outbox.Count(o => !o.Sent);
        Assert.True(unsent == 0, $"{unsent} ResponsePublished events are still unsent");
        Assert.Equal(receipts.Count, holdings.Outbox.Count);

        // Counted exactly once in Reporting: the accepted responses, no others.
        var counted = holdings.Counted.GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
        var uncounted = receipts.Values.Count(id => !counted.ContainsKey(id.ToString()));
        Assert.True(uncounted == 0, $"{uncounted} accepted responses are not counted in Reporting");
        Assert.True(counted.Values.All(n => n == 1), "a response is counted more than once in Reporting");
        Assert.Equal(receipts.Count, holdings.Counted.Count);
    }
}
