using System.Diagnostics;
using Xunit.Abstractions;

namespace EndToEnd.Tests;

/// <summary>
/// Issue 9: the whole mission through the gateway against the cluster (PostgreSQL, RabbitMQ, Teams,
/// two Consultations instances, Reporting, gateway as separate processes), once as it should go and
/// once with a Consultations instance killed and RabbitMQ killed and restarted in the middle.
/// One cluster serves both runs (in order), each run with its own teams, stakeholders and consultation.
/// </summary>
[TestCaseOrderer("EndToEnd.Tests.DeclarationOrderer", "EndToEnd.Tests")]
public sealed class MissionTests(MissionCluster cluster, ITestOutputHelper output) : IClassFixture<MissionCluster>
{
    private static TimeSpan _consultationsClock = TimeSpan.Zero;

    [Fact, Order(1)]
    public async Task The_mission_runs_end_to_end_through_the_gateway()
    {
        var clock = Stopwatch.StartNew();
        var mission = new Mission(cluster, "run1", ["C1", "C3"], output) { ConsultationsClockOffset = _consultationsClock };
        try
        {
            await mission.RunAsync(new NoFaults());
        }
        finally
        {
            _consultationsClock = mission.ConsultationsClockOffset;
        }

        output.WriteLine($"mission without faults: {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact, Order(2)]
    public async Task Nothing_is_lost_when_a_Consultations_instance_dies_and_RabbitMQ_restarts_mid_mission()
    {
        var clock = Stopwatch.StartNew();
        var mission = new Mission(cluster, "run2", ["C4", "C5"], output) { ConsultationsClockOffset = _consultationsClock, MemberStateCountry = "FR" };
        var faults = new KillingFaults(cluster, output);
        try
        {
            await mission.RunAsync(faults);
        }
        finally
        {
            _consultationsClock = mission.ConsultationsClockOffset;
            await faults.RestoreAsync();
        }

        Assert.True(faults.ConsultationsKilled && faults.RabbitMqRestarted, "the faults were injected");
        output.WriteLine($"mission with faults: {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact, Order(3)]
    public async Task Two_Consultations_instances_share_the_calls_through_the_gateway_and_a_killed_one_is_routed_around()
    {
        var consultations = new Wsis.Consultations.V1.Consultations.ConsultationsClient(cluster.Channel);
        int Served(int instance) => System.Text.RegularExpressions.Regex.Count(cluster.Consultations[instance].Output(), "Request starting [^\\n]*/consultations.v1.Consultations/ListConsultations");
        async Task<List<Grpc.Core.StatusCode>> CallAsync(int times)
        {
            var statuses = new List<Grpc.Core.StatusCode>();
            for (var i = 0; i < times; i++)
            {
                try
                {
                    await consultations.ListConsultationsAsync(new Wsis.Consultations.V1.ListConsultationsRequest { PageSize = 1 });
                    statuses.Add(Grpc.Core.StatusCode.OK);
                }
                catch (Grpc.Core.RpcException e)
                {
                    statuses.Add(e.StatusCode);
                }
            }
            return statuses;
        }

        // The instance the previous test killed is running again; the gateway takes it back once its
        // passive health's reactivation period has passed and the active checks find it SERVING.
        var first = cluster.Consultations[0];
        if (!first.IsRunning)
        {
            first.Start();
        }
        await first.WaitUntilListeningAsync(new Uri(first.Environment["ASPNETCORE_URLS"]).Port, TimeSpan.FromSeconds(120));
        // Both instances must be in rotation before the share is measured: run alone, right after the
        // cluster started, the second may still be out (a call that reached it before it listened).
        var back = Stopwatch.StartNew();
        var servedBefore = (Served(0), Served(1));
        while (Served(0) == servedBefore.Item1 || Served(1) == servedBefore.Item2)
        {
            Assert.True(back.Elapsed < TimeSpan.FromSeconds(90), $"not both instances in rotation in 90 s (served since: {Served(0) - servedBefore.Item1}, {Served(1) - servedBefore.Item2})");
            await CallAsync(2);
            await Task.Delay(500);
        }
        output.WriteLine($"both instances in rotation after {back.Elapsed.TotalSeconds:0} s");

        var before = (Served(0), Served(1));
        var shared = await CallAsync(40);
        var after = (Served(0), Served(1));
        output.WriteLine($"40 calls: instance 1 served {after.Item1 - before.Item1}, instance 2 {after.Item2 - before.Item2}");
        Assert.All(shared, s => Assert.Equal(Grpc.Core.StatusCode.OK, s));
        Assert.True(after.Item1 - before.Item1 >= 5 && after.Item2 - before.Item2 >= 5, "both instances take a share of the calls");

        await cluster.Consultations[0].KillAsync();
        var secondBefore = Served(1);
        // Right after the kill, before any health check has seen it: a burst of JSON reads through the
        // gateway. A read that reaches the dead instance fails before any answer and the gateway sends it
        // again to the other one (Proxy/SafeRetries.cs): every read is answered.
        using (var http = new HttpClient { BaseAddress = cluster.GatewayWeb })
        {
            var reads = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
            {
                using var response = await http.GetAsync("/v1/consultations?pageSize=1");
                return $"{(int)response.StatusCode} {(response.IsSuccessStatusCode ? "" : await response.Content.ReadAsStringAsync())}";
            }));
            output.WriteLine($"JSON reads right after the kill: {string.Join(",", reads.GroupBy(s => s).Select(g => $"{g.Key.Trim()} ×{g.Count()}"))}");
            Assert.All(reads, r => Assert.Equal("200 ", r));
        }
        var routedAround = await CallAsync(40);
        output.WriteLine($"after the kill: {string.Join(",", routedAround.GroupBy(s => s).Select(g => $"{g.Key} {g.Count()}"))}");
        // gRPC calls are not sent again by the gateway (they carry a body): one that finds the instance
        // gone (if the reads have not already taken it out) is UNAVAILABLE, nothing processed, for the
        // client's retry policy; the gateway takes the instance out and every later call goes to the other one.
        Assert.True(routedAround.Count(s => s != Grpc.Core.StatusCode.OK) <= 2, "at most the calls that found the instance gone fail");
        Assert.All(routedAround.Where(s => s != Grpc.Core.StatusCode.OK), s => Assert.Equal(Grpc.Core.StatusCode.Unavailable, s));
        Assert.All(routedAround.Skip(5), s => Assert.Equal(Grpc.Core.StatusCode.OK, s));
        Assert.True(Served(1) - secondBefore >= 38, "the surviving instance served the calls");

        first.Start();
    }

    private sealed class NoFaults : IMissionFaults;

    /// <summary>Kills the first Consultations instance once the consultation is open (responses then reach
    /// the second one), kills RabbitMQ once the responses are in (the deadline, the contribution and the
    /// national report happen while it is down: their events wait in the outboxes), and starts RabbitMQ
    /// again before the report is compiled.</summary>
    private sealed class KillingFaults(MissionCluster cluster, ITestOutputHelper output) : IMissionFaults
    {
        public bool ConsultationsKilled { get; private set; }
        public bool RabbitMqRestarted { get; private set; }

        public async Task ConsultationOpenedAsync()
        {
            await cluster.Consultations[0].KillAsync();
            ConsultationsKilled = true;
            output.WriteLine("fault: consultations-1 killed (SIGKILL)");
        }

        public async Task ResponsesReceivedAsync()
        {
            await cluster.RabbitMq.KillAsync();
            output.WriteLine("fault: RabbitMQ killed (SIGKILL)");
        }

        public async Task BeforeCompilingAsync()
        {
            await cluster.RabbitMq.StartAsync();
            RabbitMqRestarted = true;
            output.WriteLine("fault: RabbitMQ started again");
        }

        public async Task RestoreAsync()
        {
            if (!cluster.RabbitMq.IsRunning)
            {
                await cluster.RabbitMq.StartAsync();
            }

            if (!cluster.Consultations[0].IsRunning)
            {
                cluster.Consultations[0].Start();
            }
        }
    }
}
