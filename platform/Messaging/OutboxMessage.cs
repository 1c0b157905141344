namespace Platform.Messaging;

/// <summary>
/// An integration event waiting to be published, stored in the same transaction as the state
/// change that raised it. Rows are published in <see cref="Sequence"/> order per
/// <see cref="AggregateKey"/>, marked sent, and pruned after the retention period.
/// </summary>
public sealed class OutboxMessage
{
    /// <summary>Database-assigned; orders the rows of one aggregate.</summary>
    public long Sequence { get; set; }

    /// <summary>The MassTransit message id; consumers deduplicate on it.</summary>
    public Guid MessageId { get; set; }

    /// <summary>"Namespace.Type, Assembly" of the event record.</summary>
    public string MessageType { get; set; } = string.Empty;

    /// <summary>The event as JSON.</summary>
    public string Payload { get; set; } = string.Empty;

    /// <summary>Events with the same key are published in commit order; null means no ordering constraint.</summary>
    public string? AggregateKey { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? SentAt { get; set; }

    public int Attempts { get; set; }

    /// <summary>Earliest time of the next attempt after a failed publish (back-off).</summary>
    public DateTime? NextAttemptAt { get; set; }

    /// <summary>Why the last publish failed (exception type and message, no payload).</summary>
    public string? LastError { get; set; }

    /// <summary>
    /// The W3C <c>traceparent</c> of the activity that raised the event, so its publish continues that
    /// trace (see <see cref="MessagingTelemetry"/>); null when nothing was tracing.
    /// </summary>
    public string? TraceParent { get; set; }

    /// <summary>The W3C <c>tracestate</c> that came with <see cref="TraceParent"/>, if any.</summary>
    public string? TraceState { get; set; }
}

/// <summary>A message a consumer has applied: its id and the consumer, committed with the consumer's effect.</summary>
public sealed class InboxMessage
{
    public Guid MessageId { get; set; }

    /// <summary>The handler type, so several handlers of one event in a service each apply it once.</summary>
    public string Consumer { get; set; } = string.Empty;

    public DateTime ReceivedAt { get; set; }
}
