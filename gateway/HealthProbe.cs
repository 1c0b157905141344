namespace Wsis.Gateway;

/// <summary><c>Gateway healthcheck</c>: GET /healthz on the local web endpoint; exit code 0 when it answers 200.</summary>
public static class HealthProbe
{
    public static async Task<int> RunAsync()
    {
        var port = Environment.GetEnvironmentVariable("Kestrel__Endpoints__Web__Url") is { } url && Uri.TryCreate(url.Replace("+", "localhost").Replace("*", "localhost").Replace("0.0.0.0", "localhost"), UriKind.Absolute, out var u)
            ? u.Port
            : 5100;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(4) };
        try
        {
            using var response = await http.GetAsync($"http://127.0.0.1:{port}/healthz");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return 1;
        }
    }
}
