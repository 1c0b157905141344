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

    [Fact]
    public async Task Submissions_over_the_limit_get_429_with_retry_after_over_json_and_grpc()
    {
        _gateway = await GatewayHost.StartAsync(GatewayHost.Settings("RoundRobin", [("b1", _backend.Address)], submissionLimit: 2));
        using var http = new HttpClient { BaseAddress = _gateway.WebAddress };
        using var grpc = new GrpcTestClient(_gateway.GrpcAddress);

        for (var i = 0; i < 2; i++)
        {
            using var ok = await http.PostAsync("/api/consultations.v1.Consultations/SubmitResponse", new StringContent(Submission, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        using var limited = await http.PostAsync("/api/consultations.v1.Consultations/SubmitResponse", new StringContent(Submission, Encoding.UTF8, "application/json"));
        var overGrpc = await grpc.UnaryAsync("/consultations.v1.Consultations/SubmitResponse", "");
        // Reads are not limited.
        using var read = await http.PostAsync("/api/teams.v1.Teams/GetTeam", new StringContent("""{"id":"t"}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.Equal(8, overGrpc.GrpcStatus);
        Assert.True(overGrpc.TrailersOnly);
        Assert.True(overGrpc.Headers.Contains("Retry-After"));
        Assert.Equal(2, _backend.CallCount("SubmitResponse"));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
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
        settings["ReverseProxy"]!["Routes"]!["reports"]!["ClusterId"] = "down";
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
