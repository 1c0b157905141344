using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Wsis.Reporting;

/// <summary>
/// <c>dotnet Reporting.dll healthcheck</c>: asks the running service's grpc.health.v1 whether it is
/// SERVING (exit 0) or not (exit 1). The container's HEALTHCHECK uses it, so the image needs no curl.
/// </summary>
public static class HealthProbe
{
    public static bool Requested(string[] args) => args is ["healthcheck", ..];

    public static async Task<int> RunAsync()
    {
        var address = LocalAddress(Environment.GetEnvironmentVariable("ASPNETCORE_URLS"));
        try
        {
            using var channel = GrpcChannel.ForAddress(address);
            var reply = await new Health.HealthClient(channel)
                .CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
            Console.WriteLine($"{address}: {reply.Status}");
            return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving ? 0 : 1;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"{address}: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }

    /// <summary>The first configured URL with a wildcard host turned into loopback (default port 5103).</summary>
    public static string LocalAddress(string? urls)
    {
        var first = (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (first is null) return "http://127.0.0.1:5103";
        return first.Replace("://+", "://127.0.0.1").Replace("://*", "://127.0.0.1").Replace("://0.0.0.0", "://127.0.0.1").Replace("://[::]", "://127.0.0.1");
    }
}
