using Google.Protobuf;

namespace Wsis.Gateway.Proxy;

/// <summary>Probes every destination of clusters with <c>HealthCheck:Active:Enabled</c> over
/// <c>grpc.health.v1.Health/Check</c>, on each cluster's own interval. Policy ConsecutiveFailures
/// (as YARP's): unhealthy after <c>ConsecutiveFailuresHealthPolicy.Threshold</c> failed probes in a
/// row (default 2), healthy again at the first success.</summary>
public sealed partial class ActiveHealthChecks(
    ProxyConfiguration configuration, ForwarderHttpClient client, TimeProvider time, ILogger<ActiveHealthChecks> logger) : BackgroundService
{
    // The health call is one unary gRPC exchange, framed here by hand so the gateway depends on no
    // generated stub for it. HealthCheckResponse.ServingStatus SERVING = 1.
    private const int Serving = 1;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    private readonly Dictionary<string, DateTimeOffset> _nextProbe = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<DestinationState> _probing = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick, time);
        do
        {
            var now = time.GetUtcNow();
            foreach (var cluster in configuration.Current.Clusters.Values)
            {
                if (!cluster.ActiveChecksEnabled)
                {
                    continue;
                }
                var interval = cluster.ActiveHealthCheck!.Interval ?? TimeSpan.FromSeconds(15);
                if (_nextProbe.TryGetValue(cluster.Name, out var next) && next > now)
                {
                    continue;
                }
                _nextProbe[cluster.Name] = now + interval;
                foreach (var destination in cluster.Destinations)
                {
                    lock (_probing)
                    {
                        if (!_probing.Add(destination))
                        {
                            continue;
                        }
                    }
                    _ = ProbeAsync(cluster, destination, stoppingToken);
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private async Task ProbeAsync(ClusterState cluster, DestinationState destination, CancellationToken stoppingToken)
    {
        try
        {
            var config = cluster.ActiveHealthCheck!;
            var healthy = await CheckAsync(destination.HealthAddress, config.Service ?? "", config.Timeout ?? TimeSpan.FromSeconds(5), stoppingToken);
            if (healthy)
            {
                Interlocked.Exchange(ref destination.ConsecutiveProbeFailures, 0);
                if (!destination.ActiveHealthy)
                {
                    destination.ActiveHealthy = true;
                    LogHealthy(logger, cluster.Name, destination.Name);
                }
            }
            else if (Interlocked.Increment(ref destination.ConsecutiveProbeFailures) >= cluster.ConsecutiveFailuresThreshold
                     && destination.ActiveHealthy)
            {
                destination.ActiveHealthy = false;
                LogUnhealthy(logger, cluster.Name, destination.Name, destination.ConsecutiveProbeFailures);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            lock (_probing)
            {
                _probing.Remove(destination);
            }
        }
    }

    /// <summary>True when the destination answers Check with grpc-status 0 and SERVING.</summary>
    public async Task<bool> CheckAsync(Uri address, string service, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            var body = new MemoryStream();
            var output = new CodedOutputStream(body, leaveOpen: true);
            if (service.Length > 0)
            {
                output.WriteTag(1, WireFormat.WireType.LengthDelimited);
                output.WriteString(service);
            }
            output.Flush();
            using var request = new HttpRequestMessage(HttpMethod.Post,
                new Uri(address.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/grpc.health.v1.Health/Check"))
            {
                Version = System.Net.HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = new ByteArrayContent(GrpcProtocol.Frame(body.ToArray())),
            };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(GrpcProtocol.ContentType);
            request.Headers.TryAddWithoutValidation("TE", "trailers");
            request.Headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, $"{(long)timeout.TotalMilliseconds}m");
            using var response = await client.Invoker.SendAsync(request, cts.Token);
            if (response.StatusCode != System.Net.HttpStatusCode.OK)
            {
                return false;
            }
            var stream = await response.Content.ReadAsStreamAsync(cts.Token);
            var message = await GrpcProtocol.ReadMessageAsync(stream, 1024, cts.Token);
            while (await GrpcProtocol.ReadMessageAsync(stream, 1024, cts.Token) is not null)
            {
            }
            var status = response.TrailingHeaders.TryGetValues(GrpcProtocol.StatusHeader, out var t) ? t.FirstOrDefault()
                : response.Headers.TryGetValues(GrpcProtocol.StatusHeader, out var h) ? h.FirstOrDefault() : null;
            if (status != "0" || message is null)
            {
                return false;
            }
            var input = new CodedInputStream(message);
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                if (WireFormat.GetTagFieldNumber(tag) == 1 && WireFormat.GetTagWireType(tag) == WireFormat.WireType.Varint)
                {
                    return input.ReadEnum() == Serving;
                }
                input.SkipLastField();
            }
            return false; // status absent means UNKNOWN (0)
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidDataException or InvalidProtocolBufferException
                                      || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {Cluster}: destination {Destination} is healthy again")]
    private static partial void LogHealthy(ILogger logger, string cluster, string destination);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster {Cluster}: destination {Destination} marked unhealthy after {Failures} failed probes")]
    private static partial void LogUnhealthy(ILogger logger, string cluster, string destination, int failures);
}
