using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.Extensions.Configuration;

namespace Platform.ServiceDefaults;

/// <summary>
/// <c>dotnet &lt;Service&gt;.dll healthcheck</c>: asks the running service's own grpc.health.v1
/// whether it is SERVING (exit 0) or not (exit 1). The container HEALTHCHECK uses it, so the image
/// needs no curl.
/// </summary>
public static class GrpcHealthProbe
{
    public static bool Requested(string[] args) => args is ["healthcheck", ..];

    /// <summary>Probes the address Kestrel listens on: the named <c>Grpc</c> endpoint, else <c>urls</c> (ASPNETCORE_URLS), else <paramref name="defaultUrl"/>.</summary>
    public static Task<int> RunAsync(IConfiguration configuration, string defaultUrl) =>
        RunAsync(LocalAddress(configuration["Kestrel:Endpoints:Grpc:Url"] ?? configuration["urls"], defaultUrl));

    public static async Task<int> RunAsync(string address)
    {
        try
        {
            using var channel = GrpcChannel.ForAddress(address);
            var reply = await new Health.HealthClient(channel)
                .CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
            Console.WriteLine($"{address}: {reply.Status}");
            return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving ? 0 : 1;
        }
        catch (Exception e) when (e is Grpc.Core.RpcException or HttpRequestException or OperationCanceledException)
        {
            Console.Error.WriteLine($"{address}: unhealthy: {e.Message}");
            return 1;
        }
    }

    /// <summary>The first listening URL with a wildcard host (<c>+</c>, <c>*</c>, <c>0.0.0.0</c>, <c>[::]</c>) turned into loopback.</summary>
    public static string LocalAddress(string? urls, string defaultUrl)
    {
        var first = (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (first is null) return defaultUrl;
        return first.Replace("://+", "://127.0.0.1").Replace("://*", "://127.0.0.1")
            .Replace("://0.0.0.0", "://127.0.0.1").Replace("://[::]", "://127.0.0.1");
    }
}
