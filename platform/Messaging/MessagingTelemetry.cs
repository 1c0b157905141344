using System.Diagnostics;

namespace Platform.Messaging;

/// <summary>
/// Tracing across the outbox: an event is published long after the request that raised it has
/// answered, from a background service with no trace of its own. So the outbox row keeps the W3C
/// trace context of the activity that raised the event (<see cref="OutboxMessage.TraceParent"/>),
/// and the dispatcher publishes each row inside a <c>publish</c> activity (kind Producer) whose
/// parent is that context: MassTransit's send activity is its child and carries the trace in the
/// message headers, the consumer's activities continue it, and each handler runs inside a
/// <c>handle</c> activity, so the events a handler raises continue the same trace.
/// </summary>
/// <remarks>
/// Nothing is recorded, and no row gets a trace context, unless something listens to
/// <see cref="SourceName"/> (OpenTelemetry with an exporter, see <c>Platform.ServiceDefaults.Telemetry</c>).
/// </remarks>
public static class MessagingTelemetry
{
    /// <summary>The activity source of the outbox and the inbox (the same name as their meter).</summary>
    public const string SourceName = MessagingMetrics.MeterName;

    internal static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// The trace context to store with an event raised now: the current activity's, while anything
    /// listens to <see cref="SourceName"/>; otherwise none (no string is made per event).
    /// </summary>
    public static ActivityContext CurrentContext() =>
        Source.HasListeners() && Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Context : default;

    /// <summary>Writes <paramref name="raisedIn"/> into the row as a W3C traceparent and tracestate (nothing when empty or unheard).</summary>
    internal static void Stamp(OutboxMessage message, ActivityContext raisedIn)
    {
        if (raisedIn == default || !Source.HasListeners())
        {
            return;
        }

        var flags = (raisedIn.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? "01" : "00";
        message.TraceParent = $"00-{raisedIn.TraceId.ToHexString()}-{raisedIn.SpanId.ToHexString()}-{flags}";
        message.TraceState = string.IsNullOrEmpty(raisedIn.TraceState) ? null : raisedIn.TraceState;
    }

    /// <summary>The <c>publish</c> activity of one outbox row, child of the context the row was raised in (a new trace when it has none).</summary>
    internal static Activity? StartPublish(OutboxMessage message, Type eventType, string endpoint)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        ActivityContext.TryParse(message.TraceParent, message.TraceState, isRemote: true, out var parent);
        var activity = Source.StartActivity("publish " + eventType.Name, ActivityKind.Producer, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.message.id", message.MessageId.ToString("D"));
            activity.SetTag("messaging.outbox.endpoint", endpoint);
            activity.SetTag("messaging.outbox.sequence", message.Sequence);
            activity.SetTag("messaging.outbox.attempt", message.Attempts + 1);
        }

        return activity;
    }

    /// <summary>
    /// The <c>handle</c> activity of one message in an inbox batch, child of the consumer's activity
    /// the message was delivered in, made current while the handler runs (so its queries and the
    /// events it raises join the trace). Dispose it to restore the batch's own activity.
    /// </summary>
    internal static HandlingScope StartHandling(InboxWork work, string endpoint)
    {
        if (!Source.HasListeners())
        {
            return default;
        }

        var previous = Activity.Current;
        var activity = Source.StartActivity("handle " + work.Message.GetType().Name, ActivityKind.Internal, work.DeliveredIn);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.message.id", work.MessageId.ToString("D"));
            activity.SetTag("messaging.consumer", work.Consumer);
            activity.SetTag("messaging.inbox.endpoint", endpoint);
        }

        return new HandlingScope(activity, previous);
    }

    /// <summary>
    /// The activity of one inbox transaction (look-up, handlers, commit), linked to the deliveries
    /// it applies: it serves many traces at once, so it starts its own.
    /// </summary>
    internal static Activity? StartInboxBatch(IReadOnlyList<InboxWork> batch, string endpoint)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var links = new List<ActivityLink>(batch.Count);
        foreach (var work in batch)
        {
            if (work.DeliveredIn != default)
            {
                links.Add(new ActivityLink(work.DeliveredIn));
            }
        }

        var activity = Source.StartActivity("inbox commit", ActivityKind.Internal, parentContext: default, links: links);
        activity?.SetTag("messaging.inbox.endpoint", endpoint);
        activity?.SetTag("messaging.batch.message_count", batch.Count);
        return activity;
    }

    /// <summary>Records a failure on <paramref name="activity"/> (type and message only, never a payload).</summary>
    internal static void Failed(Activity? activity, string reason) => activity?.SetStatus(ActivityStatusCode.Error, reason);

    internal readonly struct HandlingScope(Activity? activity, Activity? previous) : IDisposable
    {
        public Activity? Activity => activity;

        public void Dispose()
        {
            if (activity is null)
            {
                return;
            }

            activity.Dispose();
            // Its parent is a remote context, so stopping it would leave no current activity at all.
            System.Diagnostics.Activity.Current = previous;
        }
    }
}
