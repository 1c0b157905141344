using System.Diagnostics.Metrics;

namespace Platform.Messaging;

/// <summary>
/// Counters of the outbox and inbox (meter <c>Platform.Messaging</c>), tagged with the endpoint
/// (the service's queue name): dispatch rounds that found rows, published, publish failures, delivered,
/// applied, duplicates, failed; receive-endpoint restarts by the watchdog.
/// </summary>
public static class MessagingMetrics
{
    public const string MeterName = "Platform.Messaging";
    public const string EndpointTag = "messaging.endpoint";

    private static readonly Meter Meter = new(MeterName);

    internal static readonly Counter<long> Published = Meter.CreateCounter<long>("messaging.outbox.published");
    internal static readonly Counter<long> Rounds = Meter.CreateCounter<long>("messaging.outbox.rounds");
    internal static readonly Counter<long> PublishFailed = Meter.CreateCounter<long>("messaging.outbox.publish_failed");
    internal static readonly Counter<long> Delivered = Meter.CreateCounter<long>("messaging.inbox.delivered");
    internal static readonly Counter<long> Applied = Meter.CreateCounter<long>("messaging.inbox.applied");
    internal static readonly Counter<long> Duplicates = Meter.CreateCounter<long>("messaging.inbox.duplicates");
    internal static readonly Counter<long> Failed = Meter.CreateCounter<long>("messaging.inbox.failed");
    internal static readonly Counter<long> EndpointRestarts = Meter.CreateCounter<long>("messaging.receive_endpoint.restarts");

    internal static KeyValuePair<string, object?> Tag(string endpoint) => new(EndpointTag, endpoint);
}

/// <summary>
/// Called by the dispatcher after the broker confirmed a publish and before the row is marked
/// sent. An extension point for diagnostics; fault tests use it to kill a dispatcher exactly there.
/// </summary>
public interface IOutboxDispatchObserver
{
    ValueTask OnPublishedAsync(OutboxMessage message, CancellationToken cancellationToken);
}
