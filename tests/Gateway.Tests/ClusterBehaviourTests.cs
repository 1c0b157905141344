using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Gateway.Tests;

/// <summary>Load balancing, health, failure and reconfiguration with several real backends.</summary>
public sealed class ClusterBehaviourTests : IAsyncLifetime
{
    private readonly List<GrpcTestBackend> _backends = [];
    private GatewayHost? _gateway;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
        foreach (var b in _backends)
        {
            await b.DisposeAsync();
        }
    }

    private async Task<GrpcTestBackend[]> StartBackendsAsync(params string[] names)
    {
        var started = await Task.WhenAll(names.Select(GrpcTestBackend.StartAsync));
        _backends.AddRange(started);
        return started;
    }

    private static Uri ClosedPort()
    {
        var port = global::Testing.FreePort.Next();
        return new Uri($"http://127.0.0.1:{port}");
    }

    private static async Task<string> BackendOf(GrpcTestClient client)
    {
        var r = await client.UnaryAsync("/test.v1.Echo/Unary", "x");
        Assert.Equal(0, r.GrpcStatus);
        return r.Messages.Single().Split(':')[0];
    }

    [Fact]
    public async Task Round_robin_spreads_calls_evenly()
    {
        var bs = await StartBackendsAsync("a", "b", "c");
        _gateway = await GatewayHost.StartAsync(GatewayHost.Settings("RoundRobin", bs.Select(b => (b.Name, b.Address))));
        using var client = new GrpcTestClient(_gateway.GrpcAddress);

        for (var i = 0; i < 30; i++)
        {
            await BackendOf(client);
        }

        Assert.All(bs, b => Assert.Equal(10, b.CallCount("Unary")));
    }

    [Fact]
    public async Task First_alphabetical_sends_everything_to_the_first_destination()
    {
        var bs = await StartBackendsAsync("b", "a");
        _gateway = await GatewayHost.StartAsync(GatewayHost.Settings("FirstAlphabetical", bs.Select(b => (b.Name, b.Address))));
        using var client = new GrpcTestClient(_gateway.GrpcAddress);

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("a", await BackendOf(client));
        }
    }

    [Fact]
    public async Task Power_of_two_choices_uses_every_destination()
    {
        var bs = await StartBackendsAsync("a", "b", "c");
        _gateway = await GatewayHost.StartAsync(GatewayHost.Settings("PowerOfTwoChoices", bs.Select(b => (b.Name, b.Address))));
        using var client = new GrpcTestClient(_gateway.GrpcAddress);

        await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => BackendOf(client)));

        Assert.Equal(60, bs.Sum(b => b.CallCount("Unary")));
        Assert.All(bs, b => Assert.True(b.CallCount("Unary") > 0, $"{b.Name} got no call"));
    }

    [Fact]
    public async Task A_destination_that_is_down_gives_unavailable_without_hanging()
    {
        _gateway = await GatewayHost.StartAsync(GatewayHost.Settings("RoundRobin", [("down", ClosedPort())]));
        using var client = new GrpcTestClient(_gateway.GrpcAddress);

        var result = await client.UnaryAsync("/test.v1.Echo/Unary", "x").WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(result.TrailersOnly);
        Assert.Equal(14, result.GrpcStatus);
        Assert.Contains("echo", result.GrpcMessage);
    }

    [Fact]
    public async Task A_destination_that_is_down_gives_http_502_or_503_to_a_plain_http_client()
    {
        _gateway = await GatewayHost.StartAsync(GatewayHost.Settings("RoundRobin", [("down", ClosedPort())]));
        using var http = new HttpClient();

        using var response = await http.PostAsync(new Uri(_gateway.WebAddress, "/test.v1.Echo/Unary"), new StringContent("x"))
            .WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable, response.StatusCode.ToString());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Calls_move_to_the_other_instance_when_one_is_killed_under_load()
    {
        var bs = await StartBackendsAsync("a", "b");
        _gateway = await GatewayHost.StartAsync(GatewayHost.Settings("RoundRobin", bs.Select(b => (b.Name, b.Address))));
        using var client = new GrpcTestClient(_gateway.GrpcAddress);
        using var stop = new CancellationTokenSource();
        var statuses = new System.Collections.Concurrent.ConcurrentBag<int?>();

        async Task LoadAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                var r = await client.UnaryAsync("/test.v1.Echo/Unary", "load");
                statuses.Add(r.GrpcStatus);
            }
        }
        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(LoadAsync)).ToArray();
        await WaitUntilAsync(() => bs[0].CallCount("Unary") >= 20 && bs[1].CallCount("Unary") >= 20);

        await bs[0].StopAsync();
        var bAtKill = bs[1].CallCount("Unary");
        await WaitUntilAsync(() => bs[1].CallCount("Unary") >= bAtKill + 100);
        stop.Cancel();
        await Task.WhenAll(load);

        // Every call got an answer (OK, or UNAVAILABLE for one caught inside the dying instance),
        // and after the kill the survivor carries the load: all of the next calls succeed on it.
        Assert.All(statuses, s => Assert.True(s is 0 or 14, $"status {s}"));
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("b", await BackendOf(client));
        }
    }

    [Fact]
    public async Task A_burst_of_json_reads_right_after_an_instance_is_killed_is_answered_in_full_by_the_survivor()
    {
        var bs = await StartBackendsAsync("a", "b");
        _gateway = await GatewayHost.StartAsync(GatewayHost.Settings("RoundRobin", bs.Select(b => (b.Name, b.Address))));
        using var http = new HttpClient { BaseAddress = _gateway.WebAddress };
        Assert.Equal(["a", "b"], (await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => JsonBackendOf(http, "/v1/teams/t-0")))).Order());

        await bs[0].StopAsync();
        var burst = await Task.WhenAll(Enumerable.Range(1, 30).Select(async i =>
        {
            using var response = await http.GetAsync($"/v1/teams/t-{i}");
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }));

        // Round robin sends every other read to the stopped instance until passive health takes it out:
        // those failed before any answer and went again to the other instance.
        Assert.All(burst, r => Assert.True(r.StatusCode == HttpStatusCode.OK, $"{r.StatusCode}: {r.Body}"));
        Assert.All(burst, r => Assert.Equal("b", System.Text.Json.JsonDocument.Parse(r.Body).RootElement.GetProperty("backend").GetString()));
        Assert.Equal(DestinationHealth.Unhealthy, Destination("teams", "a").Health.Passive);
    }

    [Fact]
    public async Task A_json_read_sent_to_an_unreachable_instance_is_sent_again_to_another_even_without_passive_health()
    {
        // Three destinations, two of them never listening, no passive health: each read that goes to a
        // dead one is sent again, to a destination not tried yet, until the live one answers.
        var live = (await StartBackendsAsync("c"))[0];
        _gateway = await GatewayHost.StartAsync(GatewayHost.Settings("RoundRobin", [("a", ClosedPort()), ("b", ClosedPort()), ("c", live.Address)], passive: false));
        using var http = new HttpClient { BaseAddress = _gateway.WebAddress };

        for (var i = 0; i < 9; i++)
        {
            Assert.Equal("c", await JsonBackendOf(http, $"/v1/teams/t-{i}"));
        }
        Assert.Equal(9, live.Requests.Count(r => r.StartsWith("GET /v1/teams/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_json_post_to_an_unreachable_instance_is_not_sent_again_and_is_answered_unavailable()
    {
        var bs = await StartBackendsAsync("a", "b");
        _gateway = await GatewayHost.StartAsync(GatewayHost.Settings("RoundRobin", bs.Select(b => (b.Name, b.Address)), passive: false));
        using var http = new HttpClient { BaseAddress = _gateway.WebAddress };
        await bs[0].StopAsync();

        // Round robin without passive health: of two submissions one goes to the stopped instance.
        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 2; i++)
        {
            answers.Add(await http.PostAsync($"/v1/consultations/c-{i}/responses",
                new StringContent($$"""{"text":"t{{i}}"}""", System.Text.Encoding.UTF8, "application/json")));
        }

        var failed = Assert.Single(answers, a => a.StatusCode != HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        using var problem = System.Text.Json.JsonDocument.Parse(await failed.Content.ReadAsStringAsync());
        Assert.Equal(14, problem.RootElement.GetProperty("grpcStatus").GetInt32());
        Assert.Contains("refused or did not accept the connection", problem.RootElement.GetProperty("detail").GetString());
        // The survivor received the other submission once, and never the failed one.
        Assert.Single(bs[1].Requests, r => r.StartsWith("POST /v1/consultations/", StringComparison.Ordinal));
        answers.ForEach(a => a.Dispose());
    }

    [Fact]
    public async Task A_grpc_call_to_an_unreachable_instance_is_not_sent_again_by_the_gateway()
    {
        var bs = await StartBackendsAsync("a", "b");
        _gateway = await GatewayHost.StartAsync(GatewayHost.Settings("RoundRobin", bs.Select(b => (b.Name, b.Address)), passive: false));
        using var client = new GrpcTestClient(_gateway.GrpcAddress);
        await bs[0].StopAsync();

        var statuses = new List<int?>();
        for (var i = 0; i < 2; i++)
        {
            statuses.Add((await client.UnaryAsync("/test.v1.Echo/Unary", "x")).GrpcStatus);
        }

        // gRPC calls carry a body and may change state: UNAVAILABLE (with a retry hint) for the caller's own retry policy.
        Assert.Equal([0, 14], statuses.Order());
        Assert.Equal(1, bs[1].CallCount("Unary"));
    }

    private static async Task<string> JsonBackendOf(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode} {body}");
        return System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("backend").GetString()!;
    }

    [Fact]
    public async Task Active_health_checks_take_a_not_serving_destination_out_and_back()
    {
        var bs = await StartBackendsAsync("a", "b");
        _gateway = await GatewayHost.StartAsync(GatewayHost.Settings("RoundRobin", bs.Select(b => (b.Name, b.Address)), active: true));
        using var client = new GrpcTestClient(_gateway.GrpcAddress);
        await WaitUntilAsync(() => bs.All(b => b.CallCount("Check") > 0));

        bs[0].Serving = false;
        var probesAfter = bs[0].CallCount("Check");
        await WaitUntilAsync(() => bs[0].CallCount("Check") >= probesAfter + 2);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("b", await BackendOf(client));
        }

        bs[0].Serving = true;
        probesAfter = bs[0].CallCount("Check");
        await WaitUntilAsync(() => bs[0].CallCount("Check") >= probesAfter + 2);
        var seen = new HashSet<string>();
        for (var i = 0; i < 4; i++)
        {
            seen.Add(await BackendOf(client));
        }
        Assert.Equal(["a", "b"], seen.Order());
    }

    private DestinationState Destination(string name) => Destination("echo", name);

    private DestinationState Destination(string clusterId, string name) =>
        _gateway!.Services.GetRequiredService<IProxyStateLookup>().TryGetCluster(clusterId, out var cluster)
            ? cluster.DestinationsState.AllDestinations.Single(d => d.DestinationId == name)
            : throw new InvalidOperationException("no cluster " + clusterId);

    private bool ActiveHealthy(string name) => Destination(name).Health.Active != DestinationHealth.Unhealthy;

    [Fact]
    public async Task Probes_that_time_out_on_every_destination_do_not_stop_the_traffic()
    {
        // One destination, a failure threshold of 1 and probes that always time out (the instance is
        // slow to answer them, as under a burst), while forwarded calls keep being answered: the
        // HealthyOrPanic policy keeps sending calls to a cluster whose every destination failed its probes.
        var bs = await StartBackendsAsync("a");
        bs[0].ProbeDelayMilliseconds = 5_000;
        _gateway = await GatewayHost.StartAsync(GatewayHost.Settings("RoundRobin", [("a", bs[0].Address)], active: true));
        using var client = new GrpcTestClient(_gateway.GrpcAddress);

        var statuses = new List<int?>();
        await WaitUntilAsync(async () =>
        {
            statuses.Add((await client.UnaryAsync("/test.v1.Echo/Unary", "x")).GrpcStatus);
            return !ActiveHealthy("a");
        });
        for (var i = 0; i < 5; i++)
        {
            statuses.Add((await client.UnaryAsync("/test.v1.Echo/Unary", "x")).GrpcStatus);
        }

        Assert.All(statuses, s => Assert.Equal(0, s));
    }

    [Fact]
    public async Task A_destination_whose_calls_and_probes_both_fail_is_taken_out()
    {
        var bs = await StartBackendsAsync("a", "b");
        _gateway = await GatewayHost.StartAsync(GatewayHost.Settings("RoundRobin", bs.Select(b => (b.Name, b.Address)), active: true));
        using var client = new GrpcTestClient(_gateway.GrpcAddress);
        await WaitUntilAsync(() => bs.All(b => b.CallCount("Check") > 0));

        // "a" hangs: its probes time out and the calls sent to it get no answer either; their clients
        // give up at their deadline (as gRPC clients do, cancelling the call).
        bs[0].Hang = true;
        var hung = Enumerable.Range(0, 4).Select(async _ =>
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                return (await client.UnaryAsync("/test.v1.Echo/Unary", "x", h => h.TryAddWithoutValidation("grpc-timeout", "1S"), deadline.Token)).GrpcStatus;
            }
            catch (OperationCanceledException)
            {
                return 4;
            }
        }).ToList();
        await WaitUntilAsync(() => !ActiveHealthy("a"));
        await Task.WhenAll(hung);

        Assert.True(ActiveHealthy("b"));
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal("b", await BackendOf(client));
        }
        Assert.All(hung, c => Assert.True(c.Result is 0 or 4, $"status {c.Result}"));
    }

    [Fact]
    public async Task A_stream_the_service_refuses_is_answered_with_unavailable_and_ejects_nothing()
    {
        var bs = await StartBackendsAsync("a");
        _gateway = await GatewayHost.StartAsync(GatewayHost.Settings("RoundRobin", [("a", bs[0].Address)], passive: true));
        using var client = new GrpcTestClient(_gateway.GrpcAddress);

        var refused = await client.UnaryAsync("/test.v1.Echo/Refuse", "x").WaitAsync(TimeSpan.FromSeconds(10));

        // A status in a Trailers-Only answer, not a reset of the client's stream.
        Assert.Equal(14, refused.GrpcStatus);
        // HttpClient retries a refused stream by itself; a forwarded body cannot be sent twice, so the
        // call ends here, unprocessed, as UNAVAILABLE: the client may retry it.
        Assert.Contains("could not forward the call to cluster 'echo'", refused.GrpcMessage);
        // One refused stream says nothing about the instance: it is not ejected.
        Assert.Equal("a", await BackendOf(client));
    }

    [Fact]
    public async Task A_failure_inside_the_gateway_is_a_grpc_status_for_a_grpc_client_not_a_bare_http_500()
    {
        // A destination the forwarder cannot call at all (an address with a scheme HttpClient does
        // not speak): the gateway's own failure, which once reached clients as HTTP 500.
        _gateway = await GatewayHost.StartAsync(GatewayHost.Settings("RoundRobin", [("a", new Uri("ftp://127.0.0.1:1/"))], passive: false));
        using var client = new GrpcTestClient(_gateway.GrpcAddress);

        var failed = await client.UnaryAsync("/test.v1.Echo/Unary", "x").WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(System.Net.HttpStatusCode.OK, failed.HttpStatus);
        Assert.Equal(14, failed.GrpcStatus);
        Assert.Contains("could not forward", failed.GrpcMessage);
        Assert.DoesNotContain("   at ", failed.GrpcMessage);
    }

    [Fact]
    public async Task Configuration_changes_apply_without_restart()
    {
        var bs = await StartBackendsAsync("a", "b");
        var settings = GatewayHost.Settings("RoundRobin", [("a", bs[0].Address)]);
        _gateway = await GatewayHost.StartAsync(settings);
        using var client = new GrpcTestClient(_gateway.GrpcAddress);
        Assert.Equal("a", await BackendOf(client));

        await _gateway.RewriteSettingsAsync(GatewayHost.Settings("RoundRobin", [("b", bs[1].Address)]));

        await WaitUntilAsync(async () => await BackendOf(client) == "b");
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("b", await BackendOf(client));
        }
    }

    [Fact]
    public async Task A_route_that_leads_back_to_the_gateway_ends_with_unavailable_instead_of_looping()
    {
        var bs = await StartBackendsAsync("a");
        _gateway = await GatewayHost.StartAsync(GatewayHost.Settings("RoundRobin", [("a", bs[0].Address)]));
        using var client = new GrpcTestClient(_gateway.GrpcAddress);
        Assert.Equal("a", await BackendOf(client));

        await _gateway.RewriteSettingsAsync(GatewayHost.Settings("RoundRobin", [("self", _gateway.GrpcAddress)]));
        GrpcCallResult? result = null;
        await WaitUntilAsync(async () =>
        {
            result = await client.UnaryAsync("/test.v1.Echo/Unary", "x").WaitAsync(TimeSpan.FromSeconds(10));
            return result.GrpcStatus != 0;
        });

        Assert.Equal(14, result!.GrpcStatus);
        Assert.Contains("forwarding loop", result.GrpcMessage);
    }

    [Fact]
    public async Task Route_timeout_without_a_client_deadline_ends_the_call_with_unavailable_and_cancels_the_service_call()
    {
        var bs = await StartBackendsAsync("a");
        _gateway = await GatewayHost.StartAsync(GatewayHost.Settings("RoundRobin", [("a", bs[0].Address)], routeTimeout: TimeSpan.FromMilliseconds(500)));
        using var client = new GrpcTestClient(_gateway.GrpcAddress);

        var result = await client.UnaryAsync("/test.v1.Echo/Slow", "x").WaitAsync(TimeSpan.FromSeconds(10));

        // The client's own deadline did not expire (it set none): not DEADLINE_EXCEEDED.
        Assert.Equal(14, result.GrpcStatus);
        Assert.Contains("did not answer within the timeout of route", result.GrpcMessage);
        await bs[0].SlowCallAborted.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task The_client_deadline_reaches_the_service_and_its_expiry_is_deadline_exceeded()
    {
        var bs = await StartBackendsAsync("a");
        // The route's own timeout is far longer than the client's deadline.
        _gateway = await GatewayHost.StartAsync(GatewayHost.Settings("RoundRobin", [("a", bs[0].Address)], routeTimeout: TimeSpan.FromMinutes(1)));
        using var client = new GrpcTestClient(_gateway.GrpcAddress);

        var result = await client.UnaryAsync("/test.v1.Echo/Slow", "x", h => h.TryAddWithoutValidation("grpc-timeout", "300m"))
            .WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(4, result.GrpcStatus);
        Assert.Equal("300m", bs[0].LastHeaders["grpc-timeout"]);
    }

    private static Task WaitUntilAsync(Func<bool> condition) => WaitUntilAsync(() => Task.FromResult(condition()));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(15))
            {
                throw new TimeoutException("condition not reached in 15 s");
            }
            await Task.Delay(50);
        }
    }
}
