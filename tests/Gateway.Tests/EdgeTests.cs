using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Xunit;

namespace Gateway.Tests;

/// <summary>Bearer tokens at the door, rate limits on submissions and readiness, each with its own gateway.</summary>
public sealed class EdgeTests : IAsyncLifetime
{
    private GrpcTestBackend _backend = null!;
    private GatewayHost? _gateway;

    public async Task InitializeAsync() => _backend = await GrpcTestBackend.StartAsync("b1");

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
        await _backend.DisposeAsync();
    }

    private const string Submission = """{"consultationId":"c-1","text":"a response"}""";

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Submissions_over_the_limit_get_429_with_retry_after_over_json_and_resource_exhausted_over_grpc()
    {
        _gateway = await GatewayHost.StartAsync(GatewayHost.Settings("RoundRobin", [("b1", _backend.Address)], submissionLimit: 2));
        using var http = new HttpClient { BaseAddress = _gateway.WebAddress };
        using var grpc = new GrpcTestClient(_gateway.GrpcAddress);

        for (var i = 0; i < 2; i++)
        {
            using var ok = await http.PostAsync("/v1/consultations/c-1/responses", Json(Submission));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        using var limited = await http.PostAsync("/v1/consultations/c-1/responses", Json(Submission));
        var overGrpc = await grpc.UnaryAsync("/consultations.v1.Consultations/SubmitResponse", "");
        // Reads are not limited.
        using var read = await http.GetAsync("/v1/teams/t");
        var readOverGrpc = await grpc.UnaryAsync("/consultations.v1.Consultations/ListConsultations", "");

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.Equal(8, overGrpc.GrpcStatus);
        Assert.True(overGrpc.TrailersOnly);
        Assert.True(int.Parse(overGrpc.Headers.GetValues("grpc-retry-pushback-ms").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1000);
        Assert.Equal(2, _backend.Requests.Count(r => r.StartsWith("POST /v1/consultations/c-1/responses", StringComparison.Ordinal)));
        Assert.Equal(0, _backend.CallCount("SubmitResponse"));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(0, readOverGrpc.GrpcStatus);
    }

    [Fact]
    public async Task A_partner_service_account_gets_a_larger_submission_quota_than_an_anonymous_client()
    {
        // Settings: 2 per minute for anyone, 6 for the role "partner".
        _gateway = await GatewayHost.StartAsync(GatewayHost.Settings("RoundRobin", [("b1", _backend.Address)], submissionLimit: 2));
        using var grpc = new GrpcTestClient(_gateway.GrpcAddress);
        var partner = TestTokens.Mint("partner-service", "partner");
        var stakeholder = TestTokens.Mint("stakeholder-1", "stakeholder");

        async Task<List<int?>> SubmitAsync(string? token, int times)
        {
            var statuses = new List<int?>();
            for (var i = 0; i < times; i++)
            {
                var r = await grpc.UnaryAsync("/consultations.v1.Consultations/SubmitResponse", "", h =>
                {
                    if (token is not null)
                    {
                        h.Authorization = new AuthenticationHeaderValue("Bearer", token);
                    }
                });
                statuses.Add(r.GrpcStatus);
            }
            return statuses;
        }

        var anonymous = await SubmitAsync(null, 3);
        var member = await SubmitAsync(stakeholder, 3);
        var service = await SubmitAsync(partner, 7);

        Assert.Equal(2, anonymous.Count(s => s != 8));
        Assert.Equal(8, anonymous[2]);
        Assert.Equal(2, member.Count(s => s != 8));
        Assert.Equal(6, service.Count(s => s != 8));
        Assert.Equal(8, service[6]);
    }

    [Fact]
    public async Task One_client_cannot_hold_more_calls_than_its_concurrency_limit_and_others_are_still_served()
    {
        _gateway = await GatewayHost.StartAsync(GatewayHost.Settings("RoundRobin", [("b1", _backend.Address)], concurrencyLimit: 2));
        using var grpc = new GrpcTestClient(_gateway.GrpcAddress);
        using var http = new HttpClient { BaseAddress = _gateway.WebAddress };
        var other = TestTokens.Mint("another-client", "stakeholder");

        // Two calls the service holds for 2 s fill this client's share.
        var slow = Enumerable.Range(0, 2).Select(_ =>
            grpc.UnaryAsync("/test.v1.Echo/Slow", "x", h => h.TryAddWithoutValidation("grpc-timeout", "2S"))).ToList();
        await _backend.SlowCallStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await WaitForAsync(() => _backend.CallCount("Slow") == 2);

        var refused = await grpc.UnaryAsync("/test.v1.Echo/Unary", "third").WaitAsync(TimeSpan.FromSeconds(2));
        using var refusedJson = await http.GetAsync("/v1/teams/t");
        var otherClient = await grpc.UnaryAsync("/test.v1.Echo/Unary", "other", h => h.Authorization = new AuthenticationHeaderValue("Bearer", other));

        Assert.Equal(14, refused.GrpcStatus);
        Assert.True(refused.TrailersOnly);
        Assert.Contains("calls in progress", refused.GrpcMessage);
        Assert.Equal("1000", refused.Headers.GetValues("grpc-retry-pushback-ms").Single());
        Assert.Equal(HttpStatusCode.TooManyRequests, refusedJson.StatusCode);
        Assert.Equal("1", refusedJson.Headers.GetValues("Retry-After").Single());
        Assert.Equal(0, otherClient.GrpcStatus);

        // Once they end, this client's calls go through again: every call that entered was counted out.
        Assert.All(await Task.WhenAll(slow), r => Assert.Equal(4, r.GrpcStatus));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(0, (await grpc.UnaryAsync("/test.v1.Echo/Unary", "again")).GrpcStatus);
        }
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in 15 s");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Readiness_fails_when_a_cluster_has_no_healthy_destination()
    {
        var port = global::Testing.FreePort.Next();
        _gateway = await GatewayHost.StartAsync(GatewayHost.Settings("RoundRobin", [("down", new Uri($"http://127.0.0.1:{port}"))], active: true));
        using var http = new HttpClient { BaseAddress = _gateway.WebAddress };

        var deadline = DateTime.UtcNow.AddSeconds(15);
        HttpStatusCode status;
        do
        {
            using var ready = await http.GetAsync("/readyz");
            status = ready.StatusCode;
            if (status == HttpStatusCode.ServiceUnavailable)
            {
                break;
            }
            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        using var live = await http.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task The_gateway_answers_grpc_health_per_public_service()
    {
        var port = global::Testing.FreePort.Next();
        var settings = GatewayHost.Settings("RoundRobin", [("b1", _backend.Address)]);
        // A second cluster whose only destination is down, serving reporting.v1.Reports.
        var clusters = settings["ReverseProxy"]!["Clusters"]!.AsObject();
        clusters["down"] = System.Text.Json.Nodes.JsonNode.Parse(clusters["echo"]!.ToJsonString())!;
        clusters["down"]!["Destinations"] = new System.Text.Json.Nodes.JsonObject { ["d1"] = new System.Text.Json.Nodes.JsonObject { ["Address"] = $"http://127.0.0.1:{port}" } };
        clusters["down"]!["HealthCheck"]!["Active"]!["Enabled"] = true;
        settings["ReverseProxy"]!["Routes"]!["reporting-reports"]!["ClusterId"] = "down";
        _gateway = await GatewayHost.StartAsync(settings);
        using var grpc = new GrpcTestClient(_gateway.GrpcAddress);

        async Task<Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus?> StatusOf(string service)
        {
            var request = new Grpc.Health.V1.HealthCheckRequest { Service = service };
            var result = await grpc.UnaryAsync("/grpc.health.v1.Health/Check", Encoding.UTF8.GetString(Google.Protobuf.MessageExtensions.ToByteArray(request)));
            return result.GrpcStatus == 0
                ? Grpc.Health.V1.HealthCheckResponse.Parser.ParseFrom(Encoding.UTF8.GetBytes(result.Messages.Single())).Status
                : null;
        }

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (await StatusOf("reporting.v1.Reports") != Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.NotServing && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, await StatusOf("teams.v1.Teams"));
        Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.NotServing, await StatusOf("reporting.v1.Reports"));
    }

    [Fact]
    public async Task A_token_accepted_twice_does_not_let_bad_tokens_through_over_grpc()
    {
        _gateway = await GatewayHost.StartAsync(GatewayHost.Settings("RoundRobin", [("b1", _backend.Address)]));
        using var grpc = new GrpcTestClient(_gateway.GrpcAddress);
        var good = TestTokens.Mint("partner-1", "stakeholder");
        void Bearer(HttpRequestHeaders h, string token) => h.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var first = await grpc.UnaryAsync("/test.v1.Echo/Unary", "x", h => Bearer(h, good));
        var second = await grpc.UnaryAsync("/test.v1.Echo/Unary", "x", h => Bearer(h, good));
        var otherKey = await grpc.UnaryAsync("/test.v1.Echo/Unary", "x", h => Bearer(h, TestTokens.Mint("partner-1", "stakeholder", TestTokens.OtherKey)));
        var expired = await grpc.UnaryAsync("/test.v1.Echo/Unary", "x", h => Bearer(h, TestTokens.Mint("partner-1", "stakeholder", expires: DateTime.UtcNow.AddHours(-1))));
        // The cached token with one character of its signature changed is another string: judged afresh.
        var tampered = good[..^2] + (good[^2] == 'A' ? 'B' : 'A') + good[^1];
        var forged = await grpc.UnaryAsync("/test.v1.Echo/Unary", "x", h => Bearer(h, tampered));

        Assert.Equal(0, first.GrpcStatus);
        Assert.Equal(0, second.GrpcStatus);
        Assert.Equal(16, otherKey.GrpcStatus);
        Assert.Equal(16, expired.GrpcStatus);
        Assert.Equal(16, forged.GrpcStatus);
        Assert.Equal(2, _backend.CallCount("Unary"));
    }
}
