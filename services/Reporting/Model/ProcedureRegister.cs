namespace Wsis.Reporting.Model;

/// <summary>The procedures of the global stocktaking for one year, fixed by the coordinators' meeting.</summary>
public sealed class StocktakingProcedure
{
    public int Year { get; set; }
    public string MeetingId { get; set; } = "";
    public DateTimeOffset ContributionDeadline { get; set; }
    public List<string> RequiredFields { get; set; } = [];
    public DateTimeOffset SetAt { get; set; }
    public Guid SetEventId { get; set; }

    public static StocktakingProcedure For(int year) => new() { Year = year };

    /// <summary>The meeting may revise a year's procedures; the latest decision holds.</summary>
    public bool Apply(StocktakingProcedureSetting e)
    {
        if (SetEventId != Guid.Empty && !Revision.Supersedes(new(e.OccurredAt, e.EventId), SetAt, SetEventId)) return false;
        MeetingId = e.MeetingId;
        ContributionDeadline = e.ContributionDeadline;
        RequiredFields = e.RequiredFields.Select(EntryFields.Normalize).Where(f => f.Length > 0).Distinct().ToList();
        SetAt = e.OccurredAt;
        SetEventId = e.EventId;
        return true;
    }
}

public sealed class ProcedureRegister
{
    private readonly Dictionary<int, StocktakingProcedure> years = [];

    public ProcedureRegister() { }

    public ProcedureRegister(IEnumerable<StocktakingProcedure> stored)
    {
        foreach (var p in stored) years[p.Year] = p;
    }

    public IReadOnlyCollection<StocktakingProcedure> Procedures => years.Values;

    public bool Apply(StocktakingProcedureSetting e)
    {
        if (!years.TryGetValue(e.Year, out var p)) years[e.Year] = p = StocktakingProcedure.For(e.Year);
        return p.Apply(e);
    }

    public StocktakingProcedure? ForYear(int year) => years.GetValueOrDefault(year);
}
