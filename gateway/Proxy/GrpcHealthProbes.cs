using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using Grpc.Health.V1;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Wsis.Gateway.Proxy;

/// <summary>
/// Active health checks through each destination's own <c>grpc.health.v1.Health/Check</c>, on YARP's
/// extension points: the probe is built by <see cref="GrpcHealthProbeRequests"/> (YARP's
/// <see cref="IProbingRequestFactory"/>) for clusters whose <c>HealthCheck:Active:Policy</c> is
/// <c>GrpcHealth</c>, its answer is read to the end by the cluster's client
/// (<see cref="ForwarderClients"/>), and <see cref="GrpcHealthPolicy"/> (an
/// <see cref="IActiveHealthCheckPolicy"/>) judges it. SERVING is healthy; NOT_SERVING, any gRPC error
/// (an unknown service name is NOT_FOUND), no answer within <c>Timeout</c> or no connection is a
/// failure, and <c>ConsecutiveFailuresHealthPolicy.Threshold</c> failures in a row (cluster metadata,
/// default 2) make the destination unhealthy until a probe succeeds. The service name asked about is
/// the cluster metadata <c>GrpcHealth.Service</c> (default "", the whole server).
/// </summary>
public sealed partial class GrpcHealthPolicy(IDestinationHealthUpdater health, ILogger<GrpcHealthPolicy> logger) : IActiveHealthCheckPolicy
{
    public const string PolicyName = "GrpcHealth";
    public const string ThresholdMetadata = "ConsecutiveFailuresHealthPolicy.Threshold";
    public const string ServiceMetadata = "GrpcHealth.Service";
    public const string ProbePath = "/grpc.health.v1.Health/Check";

    private readonly ConditionalWeakTable<DestinationState, StrongBox<int>> _failures = new();

    public string Name => PolicyName;

    public void ProbingCompleted(ClusterState cluster, IReadOnlyList<DestinationProbingResult> probingResults)
    {
        var threshold = cluster.Model.Config.Metadata?.TryGetValue(ThresholdMetadata, out var text) == true
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed > 0 ? parsed : 2;
        var states = new NewActiveDestinationHealth[probingResults.Count];
        for (var i = 0; i < probingResults.Count; i++)
        {
            var result = probingResults[i];
            var destination = result.Destination;
            var failures = _failures.GetOrCreateValue(destination);
            var (serving, reason) = Verdict(result);
            DestinationHealth next;
            if (serving)
            {
                failures.Value = 0;
                next = DestinationHealth.Healthy;
            }
            else
            {
                var count = Interlocked.Increment(ref failures.Value);
                next = count >= threshold ? DestinationHealth.Unhealthy : destination.Health.Active;
                if (next == DestinationHealth.Unhealthy && destination.Health.Active != DestinationHealth.Unhealthy)
                {
                    LogUnhealthy(logger, cluster.ClusterId, destination.DestinationId, count, reason);
                }
            }

            states[i] = new NewActiveDestinationHealth(destination, next);
        }

        health.SetActive(cluster, states);
    }

    private static (bool Serving, string Reason) Verdict(DestinationProbingResult result) =>
        result.Response?.RequestMessage is GrpcHealthProbe { Verdict: { } verdict } ? verdict
        : result.Exception is OperationCanceledException ? (false, "no answer within the probe's timeout")
        : result.Exception is { } e ? (false, e.GetType().Name + ": " + e.Message)
        : (false, $"HTTP {(int?)result.Response?.StatusCode}");

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Cluster {Cluster}: destination {Destination} is unhealthy after {Failures} failed gRPC health probes in a row ({Reason})")]
    private static partial void LogUnhealthy(ILogger logger, string cluster, string destination, int failures, string reason);
}

/// <summary>YARP's probe factory: a gRPC health check for <c>GrpcHealth</c> clusters, YARP's own GET probe otherwise.</summary>
public sealed class GrpcHealthProbeRequests : IProbingRequestFactory
{
    public HttpRequestMessage CreateRequest(ClusterModel cluster, DestinationModel destination)
    {
        var config = cluster.Config;
        var active = config.HealthCheck?.Active;
        var address = (string.IsNullOrEmpty(destination.Config.Health) ? destination.Config.Address : destination.Config.Health).TrimEnd('/');
        var grpc = string.Equals(active?.Policy, GrpcHealthPolicy.PolicyName, StringComparison.OrdinalIgnoreCase);
        HttpRequestMessage request;
        if (grpc)
        {
            var service = config.Metadata?.GetValueOrDefault(GrpcHealthPolicy.ServiceMetadata) ?? "";
            request = new GrpcHealthProbe(new Uri(address + (string.IsNullOrEmpty(active?.Path) ? GrpcHealthPolicy.ProbePath : active.Path)), service)
            {
                // gRPC needs HTTP/2; a cleartext destination is reached with prior knowledge only.
                Version = config.HttpRequest?.Version ?? HttpVersion.Version20,
                VersionPolicy = config.HttpRequest?.VersionPolicy ?? HttpVersionPolicy.RequestVersionExact,
            };
        }
        else
        {
            request = new HttpRequestMessage(HttpMethod.Get, new Uri(address + (active?.Path ?? "/") + (active?.Query ?? "")))
            {
                Version = config.HttpRequest?.Version ?? HttpVersion.Version20,
                VersionPolicy = config.HttpRequest?.VersionPolicy ?? HttpVersionPolicy.RequestVersionOrLower,
            };
        }

        if (!string.IsNullOrEmpty(destination.Config.Host))
        {
            request.Headers.Host = destination.Config.Host;
        }

        return request;
    }
}

/// <summary>
/// One <c>grpc.health.v1.Health/Check</c> call. The cluster's client reads its answer to the end
/// (<see cref="ReadAnswerAsync"/>) while the probe's timeout runs, so that the policy, which YARP
/// calls synchronously, judges a complete answer: status, trailers and message.
/// </summary>
public sealed class GrpcHealthProbe : HttpRequestMessage
{
    public GrpcHealthProbe(Uri uri, string service)
        : base(HttpMethod.Post, uri)
    {
        var message = new HealthCheckRequest { Service = service }.ToByteArray();
        var framed = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)message.Length);
        message.CopyTo(framed, 5);
        Content = new ByteArrayContent(framed);
        Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
    }

    public (bool Serving, string Reason)? Verdict { get; private set; }

    public async Task ReadAnswerAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            Verdict = (false, $"HTTP {(int)response.StatusCode}");
            return;
        }

        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var status = Value(response.Headers, "grpc-status") ?? Value(response.TrailingHeaders, "grpc-status");
        if (status != "0")
        {
            var message = Value(response.Headers, "grpc-message") ?? Value(response.TrailingHeaders, "grpc-message") ?? "";
            Verdict = (false, $"grpc-status {status ?? "missing"} {Uri.UnescapeDataString(message)}");
            return;
        }

        if (body.Length < 5 || body[0] != 0 || BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1)) != body.Length - 5)
        {
            Verdict = (false, "the answer is not one uncompressed HealthCheckResponse");
            return;
        }

        var answer = HealthCheckResponse.Parser.ParseFrom(body.AsSpan(5));
        Verdict = answer.Status == HealthCheckResponse.Types.ServingStatus.Serving ? (true, "SERVING") : (false, answer.Status.ToString());
    }

    private static string? Value(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
