using System.Net.Http;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Wsis.Gateway.Proxy;

/// <summary>
/// Passive health (YARP's <see cref="IPassiveHealthCheckPolicy"/>, <c>HealthCheck:Passive:Policy</c> =
/// <c>DestinationFailures</c>): a destination is taken out for <c>ReactivationPeriod</c> only when the
/// gateway could not open a connection to it (refused, unreachable, no answer to the connect within
/// <c>Gateway:Forwarder:ConnectTimeout</c>): something no client can cause. Everything a client can
/// cause is never counted: a body it sends badly or not at all, a call it cancels, a header the
/// destination refuses, a stream the destination resets, a connection the destination ends with
/// GOAWAY because of what one client sent. YARP's own TransportFailureRate policy counts several of
/// those, so one hostile client could take a healthy instance out for every client. A destination
/// that hangs or answers NOT_SERVING is the active checks' to find (<see cref="GrpcHealthPolicy"/>).
/// </summary>
public sealed partial class DestinationFailuresPolicy(IDestinationHealthUpdater health, ILogger<DestinationFailuresPolicy> logger) : IPassiveHealthCheckPolicy
{
    public const string PolicyName = "DestinationFailures";

    private static readonly TimeSpan DefaultReactivation = TimeSpan.FromSeconds(30);

    public string Name => PolicyName;

    public void RequestProxied(HttpContext context, ClusterState cluster, DestinationState destination)
    {
        if (context.Features.Get<IForwarderErrorFeature>() is not { Error: ForwarderError.Request or ForwarderError.RequestTimedOut } failure
            || !CouldNotConnect(failure.Exception))
        {
            return;
        }

        var period = cluster.Model.Config.HealthCheck?.Passive?.ReactivationPeriod ?? DefaultReactivation;
        health.SetPassive(cluster, destination, DestinationHealth.Unhealthy, period);
        LogTakenOut(logger, cluster.ClusterId, destination.DestinationId, period);
    }

    /// <summary>True when the failure happened while connecting to the destination.</summary>
    public static bool CouldNotConnect(Exception? exception)
    {
        foreach (var e in ProxyErrors.Causes(exception))
        {
            switch (e)
            {
                case HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError }:
                // SocketsHttpHandler's ConnectTimeout: the connect did not complete in time.
                case TimeoutException:
                    return true;
            }
        }

        return false;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Cluster {Cluster}: destination {Destination} refused or did not accept a connection; taken out for {Period}")]
    private static partial void LogTakenOut(ILogger logger, string cluster, string destination, TimeSpan period);
}
