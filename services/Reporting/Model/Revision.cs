namespace Wsis.Reporting.Model;

/// <summary>
/// The position of an event in the history of one read-model row: when it happened, with the
/// event id breaking ties. Comparing revisions (rather than trusting arrival order) is what makes
/// the read models order-tolerant: the newest fact wins whichever copy of the bus delivers first.
/// </summary>
public readonly record struct Revision(Instant OccurredAt, Guid EventId) : IComparable<Revision>
{
    public int CompareTo(Revision other)
    {
        var byTime = OccurredAt.CompareTo(other.OccurredAt);
        return byTime != 0 ? byTime : EventId.CompareTo(other.EventId);
    }

    public static bool operator >(Revision a, Revision b) => a.CompareTo(b) > 0;
    public static bool operator <(Revision a, Revision b) => a.CompareTo(b) < 0;
    public static bool operator >=(Revision a, Revision b) => a.CompareTo(b) >= 0;
    public static bool operator <=(Revision a, Revision b) => a.CompareTo(b) <= 0;

    /// <summary>Whether an incoming revision should replace the stored one (none stored: always).</summary>
    public static bool Supersedes(Revision incoming, Instant? storedAt, Guid? storedEventId) =>
        storedAt is null || incoming > new Revision(storedAt.Value, storedEventId ?? Guid.Empty);
}
