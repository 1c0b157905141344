namespace Wsis.Reporting.Model;

/// <summary>
/// Reporting learns Teams' decisions from events that arrive 0.4–0.6 s after the change (measured).
/// A call that depends on a decision Reporting has not seen yet, and that nothing Reporting knows
/// contradicts, is answered UNAVAILABLE with a retry hint rather than refused: a partner's ordinary
/// retry then finds it. What Reporting knows to the contrary (another organisation designated, the
/// officers of a meeting whose election result it holds) is a refusal, since no wait changes it.
/// </summary>
public static class EventLag
{
    /// <summary>Longer than the measured lag, so the first retry normally succeeds.</summary>
    public static TimeSpan RetryAfter { get; } = TimeSpan.FromSeconds(1);

    public static DomainException NotYetKnown(string message) => DomainException.Unavailable(message, RetryAfter);
}
