namespace Platform.Data;

/// <summary>How long idempotency records are kept (configuration section <c>Idempotency</c>).</summary>
public sealed class IdempotencyOptions
{
    public const string Section = "Idempotency";

    /// <summary>
    /// A <c>request_id</c> is remembered this long; a retry after that creates again. It must
    /// exceed the longest time a client may still retry a request.
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often each instance of a service deletes the records older than <see cref="Retention"/>.</summary>
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Most records one DELETE statement removes: each statement is its own short transaction, so
    /// a large backlog never holds locks on many rows or builds one huge transaction.
    /// </summary>
    public int PruneChunkSize { get; set; } = 5000;
}
