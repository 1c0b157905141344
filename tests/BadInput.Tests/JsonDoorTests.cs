using System.Net;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace BadInput.Tests;

/// <summary>Hostile bodies to the JSON API through the gateway (the services' JSON transcoding on the
/// routes of the .proto files, e.g. POST /v1/consultations/{id}/responses): each is answered with an
/// RFC 7807 problem whose status and detail say what is wrong, never internals.</summary>
[Collection(BadInputCollection.Name)]
public sealed class JsonDoorTests(BadInputCluster cluster, ITestOutputHelper output)
{
    private string Submit => $"/v1/consultations/{cluster.ConsultationId}/responses";
    private const string RegisterStakeholder = "/v1/stakeholders";

    private string Valid(string extra = "") =>
        $"{{\"consultationId\":\"{cluster.ConsultationId}\",\"respondent\":{{\"name\":\"Json\",\"organisation\":\"Org\",\"category\":\"CIVIL_SOCIETY\",\"countryCode\":\"CH\"}},\"text\":\"json fuzz\"{extra}}}";

    private async Task<(HttpStatusCode Status, string Body)> PostAsync(string path, byte[] body, bool chunked = false, string? bearer = null)
    {
        HttpContent content = chunked ? new StreamContent(new MemoryStream(body)) : new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        if (chunked)
        {
            content.Headers.ContentLength = null;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (chunked)
        {
            request.Headers.TransferEncodingChunked = true;
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        }

        using var response = await cluster.Web.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private void AssertProblem((HttpStatusCode Status, string Body) answer, string what, params HttpStatusCode[] expected)
    {
        output.WriteLine($"{what}: {(int)answer.Status} {Clean.Shorten(answer.Body)}");
        Assert.True(expected.Contains(answer.Status), $"{what}: expected {string.Join("|", expected.Select(s => (int)s))}, got {(int)answer.Status} {Clean.Shorten(answer.Body)}");
        Clean.AssertNoInternals(answer.Body, what);
        using var problem = JsonDocument.Parse(answer.Body);
        Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("detail").GetString()), $"{what}: the problem does not say what is wrong");
    }

    [Fact]
    public async Task Invalid_json_wrong_types_and_deep_nesting_are_bad_requests()
    {
        output.WriteLine($"seed {cluster.Seed} (BAD_INPUT_SEED={cluster.Seed} reproduces)");
        var random = new Random(cluster.Seed);
        var valid = Valid();
        var cases = new List<(string Name, string Path, byte[] Body)>
        {
            ("cut short", Submit, Encoding.UTF8.GetBytes(valid[..(valid.Length / 2)])),
            ("trailing garbage", Submit, Encoding.UTF8.GetBytes(valid + "}}}")),
            ("single quotes", Submit, Encoding.UTF8.GetBytes(valid.Replace('"', '\''))),
            ("a bare string", Submit, Encoding.UTF8.GetBytes("\"hello\"")),
            ("an array", Submit, Encoding.UTF8.GetBytes("[1,2,3]")),
            ("NaN literal", Submit, Encoding.UTF8.GetBytes("{\"text\": NaN}")),
            ("string field as number", Submit, Encoding.UTF8.GetBytes($"{{\"consultationId\":5,\"text\":\"x\"}}")),
            ("message field as string", Submit, Encoding.UTF8.GetBytes($"{{\"consultationId\":\"{cluster.ConsultationId}\",\"respondent\":\"me\"}}")),
            ("repeated field as object", Submit, Encoding.UTF8.GetBytes($"{{\"consultationId\":\"{cluster.ConsultationId}\",\"attachments\":{{}}}}")),
            ("unknown enum name", Submit, Encoding.UTF8.GetBytes(valid.Replace("CIVIL_SOCIETY", "HACKERS"))),
            ("bytes field not base64", Submit, Encoding.UTF8.GetBytes(Valid(",\"attachments\":[{\"fileName\":\"a.txt\",\"mediaType\":\"text/plain\",\"content\":\"%%%not base64%%%\"}]"))),
            ("enum (int32) number out of range", Submit, Encoding.UTF8.GetBytes(valid.Replace("\"CIVIL_SOCIETY\"", "99999999999999"))),
            ("deeply nested arrays", Submit, Encoding.UTF8.GetBytes("{\"text\":" + new string('[', 100_000) + new string(']', 100_000) + "}")),
            ("deeply nested objects", Submit, Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"respondent\":", 5_000)) + "{}" + new string('}', 5_000))),
            ("invalid UTF-8 in a string", Submit, [.. Encoding.UTF8.GetBytes(valid[..^2]), 0xC3, 0x28, 0xFF, .. Encoding.UTF8.GetBytes("\"}")]),
            ("lone surrogate escape", Submit, Encoding.UTF8.GetBytes(Valid().Replace("json fuzz", "\\uD800"))),
            ("NUL byte outside a string", Submit, [.. Encoding.UTF8.GetBytes("{\"text\":\"x\""), 0x00, (byte)'}']),
        };
        for (var i = 0; i < 10; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(valid);
            // A few random bytes overwritten: almost never still JSON that names the consultation.
            for (var j = 0; j < 3; j++)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(0, 256);
            }

            cases.Add(($"mutated #{i}", Submit, bytes));
        }

        foreach (var (name, path, body) in cases)
        {
            var answer = await PostAsync(path, body);
            // A mutation can land inside a string and keep the JSON valid: then the service judges it
            // (a response stored as sent, or refused for what it lacks); otherwise 400.
            if (name.StartsWith("mutated", StringComparison.Ordinal) && answer.Status == HttpStatusCode.OK)
            {
                output.WriteLine($"{name}: still valid JSON, stored");
                continue;
            }

            AssertProblem(answer, name, HttpStatusCode.BadRequest, HttpStatusCode.NotFound);
        }

        await cluster.AssertIntactAsync();
    }

    [Fact]
    public async Task Unknown_fields_are_named()
    {
        var answer = await PostAsync(Submit, Encoding.UTF8.GetBytes(Valid(",\"isAdmin\":true")));
        AssertProblem(answer, "unknown field", HttpStatusCode.BadRequest);
        Assert.Contains("isAdmin", answer.Body, StringComparison.Ordinal);
        await cluster.AssertIntactAsync();
    }

    [Fact]
    public async Task Bodies_over_the_cap_are_413_with_or_without_a_length()
    {
        // The cap of the JSON routes in this cluster is 1 MiB (their MaxRequestBodySize).
        var huge = Encoding.UTF8.GetBytes(Valid(",\"requestId\":\"" + new string('x', 2 * 1024 * 1024) + "\""));
        AssertProblem(await PostAsync(Submit, huge), "2 MiB with Content-Length", HttpStatusCode.RequestEntityTooLarge);
        AssertProblem(await PostAsync(Submit, huge, chunked: true), "2 MiB chunked", HttpStatusCode.RequestEntityTooLarge);
        // Teams' method needs a token: without one, Teams refuses (401) while the body streams, or the
        // route's cap (413) is reached first; both are refusals and nothing is stored. With one, the cap answers.
        AssertProblem(await PostAsync(RegisterStakeholder, huge, chunked: true), "2 MiB chunked to Teams without a token", HttpStatusCode.Unauthorized, HttpStatusCode.RequestEntityTooLarge);
        AssertProblem(await PostAsync(RegisterStakeholder, huge, chunked: true, bearer: cluster.Token("secretariat-1", "secretariat")), "2 MiB chunked to Teams", HttpStatusCode.RequestEntityTooLarge);
        await cluster.AssertIntactAsync();
    }
}
