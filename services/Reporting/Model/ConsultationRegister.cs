namespace Wsis.Reporting.Model;

/// <summary>A CWG-Internet open consultation as Reporting sees it: when it ran and how it closed.</summary>
public sealed class ConsultationRecord
{
    private ConsultationRecord() { ConsultationId = ""; }

    public string ConsultationId { get; private set; }
    public string? Title { get; private set; }
    public Instant? OpenedAt { get; private set; }
    public Instant? ResponseDeadline { get; private set; }
    public Instant? ClosedAt { get; private set; }
    public int? ResponseCountAtClose { get; private set; }
    public IReadOnlyList<CountBy> CategoryCountsAtClose { get; private set; } = [];
    public string? ResponsesDigest { get; private set; }
    public Instant? ResultsPublishedAt { get; private set; }
    public string? ResultsSummary { get; private set; }

    public static ConsultationRecord For(string id) => new() { ConsultationId = id };

    // Each event fills its own fields; an event can be applied twice or after a later one
    // without changing the outcome, because the fields it sets are its own.
    public bool Apply(ConsultationOpening e)
    {
        if (Title == e.Title && OpenedAt == e.OccurredAt && ResponseDeadline == e.ResponseDeadline) return false;
        Title = e.Title;
        OpenedAt = e.OccurredAt;
        ResponseDeadline = e.ResponseDeadline;
        return true;
    }

    public bool Apply(ConsultationClosing e)
    {
        if (ClosedAt == e.OccurredAt && ResponseCountAtClose == e.ResponseCount) return false;
        ClosedAt = e.OccurredAt;
        ResponseCountAtClose = e.ResponseCount;
        ResponsesDigest = e.ResponsesDigest;
        CategoryCountsAtClose = (e.CountsByCategory ?? []).Where(c => c.Count > 0)
            .OrderByDescending(c => c.Count).ThenBy(c => c.Key, StringComparer.Ordinal).ToList();
        return true;
    }

    public bool Apply(ResultsPublication e)
    {
        if (ResultsPublishedAt is { } at && at >= e.OccurredAt) return false;
        ResultsPublishedAt = e.OccurredAt;
        ResultsSummary = e.Summary;
        return true;
    }

    /// <summary>The period the consultation was open: from opening to its deadline (or closing, if earlier known).</summary>
    public (Instant Start, Instant End)? Period =>
        OpenedAt is { } start ? (start, ResponseDeadline ?? ClosedAt ?? start) : null;
}

/// <summary>One published response, counted once however often its event is delivered.</summary>
public sealed class ConsultationResponseRecord
{
    private ConsultationResponseRecord() { ResponseId = ConsultationId = ""; }

    public string ResponseId { get; private set; }
    public string ConsultationId { get; private set; }
    public StakeholderCategory Category { get; private set; }
    public string? CountryCode { get; private set; }
    public ResponseChannel Channel { get; private set; }
    public Instant PublishedAt { get; private set; }

    public static ConsultationResponseRecord From(ResponsePublication e) => new()
    {
        ResponseId = e.ResponseId,
        ConsultationId = e.ConsultationId,
        Category = e.Category,
        CountryCode = e.CountryCode,
        Channel = e.Channel,
        PublishedAt = e.OccurredAt,
    };
}

public sealed record CountBy(string Key, int Count);

public sealed record ConsultationParticipation(
    ConsultationRecord Consultation,
    int ResponseCount,
    IReadOnlyList<CountBy> ByCategory,
    IReadOnlyList<CountBy> ByCountry,
    IReadOnlyList<CountBy> ByChannel);

public sealed class ConsultationRegister
{
    private readonly Dictionary<string, ConsultationRecord> consultations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ConsultationResponseRecord> responses = new(StringComparer.Ordinal);

    public ConsultationRegister() { }

    public ConsultationRegister(IEnumerable<ConsultationRecord> stored, IEnumerable<ConsultationResponseRecord> storedResponses)
    {
        foreach (var c in stored) consultations[c.ConsultationId] = c;
        foreach (var r in storedResponses) responses[r.ResponseId] = r;
    }

    public IReadOnlyCollection<ConsultationRecord> Consultations => consultations.Values;
    public IReadOnlyCollection<ConsultationResponseRecord> Responses => responses.Values;

    public bool Apply(ConsultationOpening e) => Get(e.ConsultationId).Apply(e);
    public bool Apply(ConsultationClosing e) => Get(e.ConsultationId).Apply(e);
    public bool Apply(ResultsPublication e) => Get(e.ConsultationId).Apply(e);

    public bool Apply(ResponsePublication e)
    {
        Get(e.ConsultationId);
        return responses.TryAdd(e.ResponseId, ConsultationResponseRecord.From(e));
    }

    public ConsultationRecord? Find(string id) => consultations.GetValueOrDefault(id);

    /// <summary>Consultations whose open period overlaps [start, end), with their participation.</summary>
    public IReadOnlyList<ConsultationParticipation> HeldBetween(Instant start, Instant end) =>
        consultations.Values
            .Where(c => c.Period is { } p && p.Start < end && p.End >= start)
            .OrderBy(c => c.OpenedAt!.Value).ThenBy(c => c.ConsultationId, StringComparer.Ordinal)
            .Select(Participation)
            .ToList();

    public ConsultationParticipation Participation(ConsultationRecord c)
    {
        var own = responses.Values.Where(r => r.ConsultationId == c.ConsultationId).ToList();
        // The closing event carries the counts by category, so a read model rebuilt from the
        // closing alone (or one that missed response events) still reports participation.
        var closingKnowsMore = c.ResponseCountAtClose is { } closed && closed > own.Count && c.CategoryCountsAtClose.Count > 0;
        return new ConsultationParticipation(
            c,
            Math.Max(own.Count, c.ResponseCountAtClose ?? 0),
            closingKnowsMore ? c.CategoryCountsAtClose : Counting.By(own, r => DomainNames.Of(r.Category)),
            Counting.By(own, r => r.CountryCode ?? "—"),
            Counting.By(own, r => DomainNames.Of(r.Channel)));
    }

    private ConsultationRecord Get(string id)
    {
        if (!consultations.TryGetValue(id, out var c)) consultations[id] = c = ConsultationRecord.For(id);
        return c;
    }
}

public static class Counting
{
    /// <summary>Counts per key, largest first, ties by key (ordinal), so output is deterministic.</summary>
    public static IReadOnlyList<CountBy> By<T>(IEnumerable<T> items, Func<T, string> key) =>
        items.GroupBy(key, StringComparer.Ordinal)
            .Select(g => new CountBy(g.Key, g.Count()))
            .OrderByDescending(c => c.Count).ThenBy(c => c.Key, StringComparer.Ordinal)
            .ToList();
}
