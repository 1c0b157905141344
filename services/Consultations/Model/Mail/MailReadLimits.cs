namespace Wsis.Consultations.Model.Mail;

/// <summary>
/// Bounds that keep a hostile message (a "MIME bomb": deep nesting, thousands of parts, huge
/// decoded content) from exhausting the service. Past a bound the reader stops descending or
/// decoding and flags the message; the raw bytes are stored anyway.
/// </summary>
public sealed record MailReadLimits
{
    /// <summary>Nesting depth of multiparts and embedded messages. Real mail rarely exceeds 5.</summary>
    public int MaxDepth { get; init; } = 12;

    /// <summary>Body parts read in one message (all levels).</summary>
    public int MaxParts { get; init; } = 500;

    /// <summary>Total decoded bytes of all parts.</summary>
    public long MaxDecodedBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Header fields in one part.</summary>
    public int MaxHeaderFields { get; init; } = 1000;

    public static MailReadLimits Default { get; } = new();
}
