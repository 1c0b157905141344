using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Gateway.Tests;

public sealed class JsonGatewayFixture : IAsyncLifetime
{
    public GrpcTestBackend Backend { get; private set; } = null!;
    public GatewayHost Gateway { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Backend = await GrpcTestBackend.StartAsync("b1");
        Gateway = await GatewayHost.StartAsync(GatewayHost.Settings("RoundRobin", [("b1", Backend.Address)]));
        Http = new HttpClient { BaseAddress = Gateway.WebAddress };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Gateway.DisposeAsync();
        await Backend.DisposeAsync();
    }
}

/// <summary>POST /api/{package.Service}/{Method}: JSON in, protobuf to the service, JSON out.</summary>
public sealed class JsonTranscodingTests(JsonGatewayFixture f) : IClassFixture<JsonGatewayFixture>
{
    [Fact]
    public async Task Json_request_is_transcoded_to_protobuf_and_the_answer_back_to_json()
    {
        using var response = await f.Http.PostAsync("/api/teams.v1.Teams/GetTeam", Json("""{"id":"team-7"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("team-7", body.RootElement.GetProperty("id").GetString());
        Assert.Equal("C1", body.RootElement.GetProperty("actionLineCode").GetString());
        // Default values are written (proto3 JSON with defaults), repeated fields as arrays.
        Assert.Equal(JsonValueKind.Array, body.RootElement.GetProperty("members").ValueKind);
    }

    [Fact]
    public async Task Nested_messages_bytes_and_timestamps_follow_the_proto3_json_mapping()
    {
        var json = """
            {"consultationId":"c-1","respondent":{"name":"Ada","category":"CIVIL_SOCIETY"},"text":"<b>hi</b>",
             "attachments":[{"fileName":"a.txt","mediaType":"text/plain","content":"aGVsbG8="}]}
            """;
        using var response = await f.Http.PostAsync("/api/consultations.v1.Consultations/SubmitResponse", Json(json));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("c-1-Ada-1", body.RootElement.GetProperty("trackingNumber").GetString());
        Assert.Equal("2026-03-01T12:00:00Z", body.RootElement.GetProperty("receivedAt").GetString());
        Assert.Equal(64, body.RootElement.GetProperty("sha256").GetString()!.Length);
    }

    [Fact]
    public async Task A_grpc_error_becomes_a_problem_with_the_mapped_http_status()
    {
        using var response = await f.Http.PostAsync("/api/teams.v1.Teams/GetTeam", Json("""{"id":"missing"}"""));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("NOT_FOUND", problem.RootElement.GetProperty("title").GetString());
        Assert.Equal("team 'missing' not found", problem.RootElement.GetProperty("detail").GetString());
        Assert.Equal(5, problem.RootElement.GetProperty("grpcStatus").GetInt32());
    }

    [Fact]
    public async Task Invalid_argument_from_the_service_is_http_400()
    {
        using var response = await f.Http.PostAsync("/api/consultations.v1.Consultations/SubmitResponse", Json("""{"consultationId":"c-1"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("text: must not be empty", problem.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Json_that_does_not_fit_the_message_is_rejected_naming_the_field()
    {
        using var response = await f.Http.PostAsync("/api/teams.v1.Teams/GetTeam", Json("""{"teamIdentifier":"x"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("teamIdentifier", problem.RootElement.GetProperty("detail").GetString());
        Assert.Equal("INVALID_ARGUMENT", problem.RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Unknown_method_is_404()
    {
        using var response = await f.Http.PostAsync("/api/teams.v1.Teams/DissolveTeam", Json("{}"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_body_over_the_size_cap_is_413()
    {
        var big = $$"""{"id":"{{new string('x', 70 * 1024)}}"}""";
        using var response = await f.Http.PostAsync("/api/teams.v1.Teams/GetTeam", Json(big));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task A_valid_bearer_token_is_forwarded_to_the_service()
    {
        var token = TestTokens.Mint("user-1", "secretariat");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/teams.v1.Teams/GetTeam") { Content = Json("""{"id":"t"}""") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await f.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer " + token, f.Backend.LastHeaders["authorization"]);
    }

    [Fact]
    public async Task A_token_signed_with_an_unknown_key_is_refused_at_the_gateway()
    {
        var before = f.Backend.CallCount("GetTeam");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/teams.v1.Teams/GetTeam") { Content = Json("""{"id":"t"}""") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.Mint("user-1", "secretariat", TestTokens.OtherKey));
        using var response = await f.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(before, f.Backend.CallCount("GetTeam"));
    }

    [Fact]
    public async Task An_expired_token_on_a_grpc_call_is_unauthenticated()
    {
        using var client = new GrpcTestClient(f.Gateway.GrpcAddress);
        var expired = TestTokens.Mint("user-1", "secretariat", expires: DateTime.UtcNow.AddHours(-1));

        var result = await client.UnaryAsync("/test.v1.Echo/Unary", "x", h => h.Add("authorization", "Bearer " + expired));

        Assert.True(result.TrailersOnly);
        Assert.Equal(16, result.GrpcStatus);
    }

    [Fact]
    public async Task OpenApi_document_describes_every_unary_method_with_proto3_json_schemas()
    {
        using var doc = JsonDocument.Parse(await f.Http.GetStringAsync("/api/openapi.json"));
        var root = doc.RootElement;

        Assert.StartsWith("3.", root.GetProperty("openapi").GetString());
        var submit = root.GetProperty("paths").GetProperty("/api/consultations.v1.Consultations/SubmitResponse").GetProperty("post");
        Assert.Equal("#/components/schemas/consultations.v1.SubmitResponseRequest",
            submit.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        var schemas = root.GetProperty("components").GetProperty("schemas");
        var request = schemas.GetProperty("consultations.v1.SubmitResponseRequest").GetProperty("properties");
        Assert.Equal("array", request.GetProperty("attachments").GetProperty("type").GetString());
        Assert.Equal("#/components/schemas/consultations.v1.Respondent", request.GetProperty("respondent").GetProperty("$ref").GetString());
        Assert.Equal("byte", schemas.GetProperty("consultations.v1.AttachmentUpload").GetProperty("properties").GetProperty("content").GetProperty("format").GetString());
        Assert.Equal("date-time", schemas.GetProperty("consultations.v1.Receipt").GetProperty("properties").GetProperty("receivedAt").GetProperty("format").GetString());
        Assert.Contains("CIVIL_SOCIETY", schemas.GetProperty("consultations.v1.RespondentCategory").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.True(root.GetProperty("paths").TryGetProperty("/api/teams.v1.Teams/GetTeam", out _));
        Assert.True(root.GetProperty("paths").TryGetProperty("/api/reporting.v1.Reports/ListReports", out _));
    }

    [Fact]
    public async Task Liveness_and_readiness_answer()
    {
        using var live = await f.Http.GetAsync("/healthz");
        using var ready = await f.Http.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
