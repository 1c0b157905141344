using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Wsis.Teams;

/// <summary>
/// <c>dotnet Teams.dll healthcheck</c>: asks the running service's own grpc.health.v1 endpoint, so
/// a container health check needs no extra tool. Exit code 0 when SERVING.
/// </summary>
public static class HealthProbe
{
    /// <summary>Where the service listens when nothing is configured.</summary>
    public const string DefaultUrl = "http://localhost:5101";

    public static async Task<int> RunAsync(IConfiguration configuration)
    {
        var url = configuration["Kestrel:Endpoints:Grpc:Url"] ?? configuration["urls"] ?? DefaultUrl;
        // A listening address such as http://+:5101 or http://0.0.0.0:5101 is reached on loopback.
        var uri = new UriBuilder(url.Split(';')[0].Replace("://+", "://localhost").Replace("://*", "://localhost"));
        if (uri.Host is "0.0.0.0" or "[::]") uri.Host = "localhost";
        try
        {
            using var channel = GrpcChannel.ForAddress(uri.Uri);
            var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(4));
            return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving ? 0 : 1;
        }
        catch (Exception e) when (e is global::Grpc.Core.RpcException or HttpRequestException or OperationCanceledException)
        {
            Console.Error.WriteLine($"unhealthy: {e.Message}");
            return 1;
        }
    }
}
