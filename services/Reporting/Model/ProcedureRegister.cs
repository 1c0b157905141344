namespace Wsis.Reporting.Model;

/// <summary>The procedures of the global stocktaking for one year, fixed by the coordinators' meeting.</summary>
public sealed class StocktakingProcedure
{
    private StocktakingProcedure() { MeetingId = ""; }

    public int Year { get; private set; }
    public string MeetingId { get; private set; }
    public Instant ContributionDeadline { get; private set; }
    public IReadOnlyList<string> RequiredFields { get; private set; } = [];
    public Instant SetAt { get; private set; }
    public Guid SetEventId { get; private set; }

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

    /// <summary>
    /// The coordinators' meeting "fixes the procedures of the global stocktaking": a contribution for
    /// a year is taken against that year's procedures, by their deadline. Procedures Reporting has not
    /// seen for a year of the stocktaking under way (last year's, this year's or next year's) may have
    /// just been set in Teams: UNAVAILABLE with a retry hint. For any other year, or once the
    /// deadline has passed, the contribution is refused (FAILED_PRECONDITION).
    /// </summary>
    public StocktakingProcedure RequireOpenFor(int year, Instant now)
    {
        var procedure = ForYear(year);
        if (procedure is null)
        {
            var thisYear = now.InUtc().Year;
            if (year >= thisYear - 1 && year <= thisYear + 1)
            {
                throw EventLag.NotYetKnown(
                    $"no stocktaking procedures for {year} have reached Reporting: the coordinators' meeting sets them (SetStocktakingProcedures) and Reporting learns them within a second; if they were just set, retry shortly, otherwise they are still to be set");
            }

            throw DomainException.FailedPrecondition(
                $"the coordinators' meeting has set no stocktaking procedures for {year}; contributions for {year} wait for them (SetStocktakingProcedures)");
        }
        if (now > procedure.ContributionDeadline)
        {
            throw DomainException.FailedPrecondition(
                $"the contribution deadline for {year} ({Times.Utc(procedure.ContributionDeadline)}) has passed; only the coordinators' meeting can set a later one (SetStocktakingProcedures)");
        }

        return procedure;
    }
}
