using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google.Api;
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
        Gateway = await GatewayHost.StartAsync(GatewayHost.Settings("RoundRobin", [("b1", Backend.Address)], jsonBodyLimit: 64 * 1024));
        Http = new HttpClient { BaseAddress = Gateway.WebAddress };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Gateway.DisposeAsync();
        await Backend.DisposeAsync();
    }
}

/// <summary>
/// JSON for internal clients: the services transcode it (their google.api.http routes); the gateway
/// routes <c>/v1/…</c> to the right cluster behind its door, and answers its own failures as problems.
/// </summary>
public sealed class JsonApiTests(JsonGatewayFixture f) : IClassFixture<JsonGatewayFixture>
{
    /// <summary>Every method of the three packages with its google.api.http rule.</summary>
    public static IEnumerable<(Google.Protobuf.Reflection.MethodDescriptor Method, HttpRule Rule)> Rules() =>
        Wsis.Gateway.Edge.RouteHealth.PublicServices.SelectMany(s => s.Methods)
            .Select(m => (m, m.GetOptions().GetExtension(AnnotationsExtensions.Http)));

    [Fact]
    public void Every_rpc_declares_a_json_route()
    {
        var missing = Rules().Where(r => r.Rule is null || string.IsNullOrEmpty(Path(r.Rule).Path)).Select(r => r.Method.FullName).ToList();
        Assert.Empty(missing);
        Assert.Equal(61, Rules().Count());
    }

    [Fact]
    public async Task Every_json_route_reaches_the_cluster_of_its_service()
    {
        var backends = new Dictionary<string, GrpcTestBackend>();
        foreach (var cluster in new[] { "teams", "consultations", "reporting" })
        {
            backends[cluster] = await GrpcTestBackend.StartAsync(cluster);
        }
        try
        {
            await using var gateway = await GatewayHost.StartAsync(GatewayHost.Settings("RoundRobin", [("b1", f.Backend.Address)],
                clusterAddresses: backends.ToDictionary(b => b.Key, b => b.Value.Address)));
            using var http = new HttpClient { BaseAddress = gateway.WebAddress };
            foreach (var (method, rule) in Rules())
            {
                var (verb, template) = Path(rule);
                var path = System.Text.RegularExpressions.Regex.Replace(template, @"\{([a-z_]+)(=[^}]*)?\}", m => "p-" + m.Groups[1].Value.Replace('_', '-'));
                using var request = new HttpRequestMessage(new HttpMethod(verb), path);
                if (rule.Body.Length > 0)
                {
                    request.Content = new StringContent("""{"text":"t"}""", Encoding.UTF8, "application/json");
                }
                using var response = await http.SendAsync(request);
                var cluster = Wsis.Gateway.Web.ServiceClients.ClusterOf(method.Service);
                Assert.True(backends[cluster].Requests.Contains($"{verb} {path}"),
                    $"{method.FullName}: {verb} {path} did not reach cluster {cluster} (HTTP {(int)response.StatusCode})");
                Assert.All(backends.Where(b => b.Key != cluster), b => Assert.DoesNotContain($"{verb} {path}", b.Value.Requests));
            }
        }
        finally
        {
            foreach (var b in backends.Values)
            {
                await b.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_service_answer_and_a_service_problem_pass_through_unchanged()
    {
        using var ok = await f.Http.GetAsync("/v1/teams/team-7");
        using var missing = await f.Http.GetAsync("/v1/teams/missing");

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("team-7", JsonDocument.Parse(await ok.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await missing.Content.ReadAsStringAsync());
        Assert.Equal("NOT_FOUND", problem.RootElement.GetProperty("title").GetString());
        Assert.Equal(5, problem.RootElement.GetProperty("grpcStatus").GetInt32());
    }

    [Fact]
    public async Task A_cluster_with_no_instance_answering_is_a_problem_with_unavailable()
    {
        var port = global::Testing.FreePort.Next();
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.Settings("RoundRobin", [("down", new Uri($"http://127.0.0.1:{port}"))]));
        using var http = new HttpClient { BaseAddress = gateway.WebAddress };

        using var response = await http.GetAsync("/v1/teams/t-1");

        Assert.True(response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable, response.StatusCode.ToString());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("UNAVAILABLE", problem.RootElement.GetProperty("title").GetString());
        Assert.Equal(14, problem.RootElement.GetProperty("grpcStatus").GetInt32());
        Assert.Contains("cluster 'teams'", problem.RootElement.GetProperty("detail").GetString());
        Assert.DoesNotContain("   at ", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_body_over_the_json_routes_limit_is_413_with_or_without_a_length()
    {
        var big = $$"""{"text":"{{new string('x', 70 * 1024)}}"}""";
        using var withLength = await f.Http.PostAsync("/v1/consultations/c-1/responses", new StringContent(big, Encoding.UTF8, "application/json"));
        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big)));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/consultations/c-2/responses") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        using var withoutLength = await f.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, withLength.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, withoutLength.StatusCode);
        using var problem = JsonDocument.Parse(await withoutLength.Content.ReadAsStringAsync());
        Assert.Equal(8, problem.RootElement.GetProperty("grpcStatus").GetInt32());
    }

    [Fact]
    public async Task A_valid_bearer_token_is_forwarded_and_a_bad_one_is_refused_at_the_door()
    {
        var token = TestTokens.Mint("user-1", "secretariat");
        using var good = new HttpRequestMessage(HttpMethod.Get, "/v1/teams/t-token");
        good.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var accepted = await f.Http.SendAsync(good);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("Bearer " + token, f.Backend.LastHeaders["authorization"]);

        var before = f.Backend.Requests.Count(r => r.Contains("t-forged", StringComparison.Ordinal));
        using var bad = new HttpRequestMessage(HttpMethod.Get, "/v1/teams/t-forged");
        bad.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.Mint("user-1", "secretariat", TestTokens.OtherKey));
        using var refused = await f.Http.SendAsync(bad);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal(16, problem.RootElement.GetProperty("grpcStatus").GetInt32());
        Assert.Contains("invalid signature", problem.RootElement.GetProperty("detail").GetString());
        Assert.Equal(before, f.Backend.Requests.Count(r => r.Contains("t-forged", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_openapi_document_lists_every_rpcs_route_with_field_meanings_and_required_fields()
    {
        using var doc = JsonDocument.Parse(await f.Http.GetStringAsync("/openapi/v1.json"));
        var root = doc.RootElement;
        var paths = root.GetProperty("paths");

        Assert.StartsWith("3.", root.GetProperty("openapi").GetString());
        foreach (var (method, rule) in Rules())
        {
            var (verb, template) = Path(rule);
            // The document names path parameters in lowerCamelCase, as JSON fields are.
            var documented = System.Text.RegularExpressions.Regex.Replace(template, @"\{([a-z_]+)\}",
                m => "{" + string.Concat(m.Groups[1].Value.Split('_').Select((part, i) => i == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..])) + "}");
            Assert.True(paths.TryGetProperty(documented, out var item) && item.TryGetProperty(verb.ToLowerInvariant(), out _),
                $"{method.FullName}: {verb} {documented} is not in the document");
        }

        var schemas = root.GetProperty("components").GetProperty("schemas");
        var register = schemas.GetProperty("teams.v1.RegisterStakeholderRequest");
        Assert.Contains("contactEmail", register.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.DoesNotContain("requestId", register.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("secretariat reaches the organisation", register.GetProperty("properties").GetProperty("contactEmail").GetProperty("description").GetString());
        var submit = paths.GetProperty("/v1/consultations/{consultationId}/responses").GetProperty("post");
        Assert.Equal("#/components/schemas/consultations.v1.SubmitResponseRequest",
            submit.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        Assert.Equal("#/components/schemas/Problem",
            submit.GetProperty("responses").GetProperty("default").GetProperty("content").GetProperty("application/problem+json").GetProperty("schema").GetProperty("$ref").GetString());
        Assert.Contains("CIVIL_SOCIETY", schemas.GetProperty("consultations.v1.RespondentCategory").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task The_api_reference_page_is_served()
    {
        using var page = await f.Http.GetAsync("/api-reference/");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("openapi/v1.json", html);
        Assert.Contains("script-src 'self' 'unsafe-inline'", page.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task Liveness_and_readiness_answer()
    {
        using var live = await f.Http.GetAsync("/healthz");
        using var ready = await f.Http.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    private static (string Verb, string Path) Path(HttpRule rule) => rule.PatternCase switch
    {
        HttpRule.PatternOneofCase.Get => ("GET", rule.Get),
        HttpRule.PatternOneofCase.Post => ("POST", rule.Post),
        HttpRule.PatternOneofCase.Put => ("PUT", rule.Put),
        HttpRule.PatternOneofCase.Delete => ("DELETE", rule.Delete),
        HttpRule.PatternOneofCase.Patch => ("PATCH", rule.Patch),
        _ => ("", ""),
    };
}
