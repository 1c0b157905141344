using NodaTime;

namespace Wsis.Teams.Model;

/// <summary>What the teams' annual contributions to the global stocktaking must contain, and by when.</summary>
public sealed class StocktakingProcedures
{
    /// <summary>The fields of a stocktaking entry (reporting.v1 SubmitContribution) that procedures can require.</summary>
    public static IReadOnlyList<string> EntryFields { get; } =
        ["title", "description", "action_line_codes", "country_codes", "stakeholder_id", "url", "status"];

    private List<string> _requiredFields = [];

    private StocktakingProcedures() { SetBy = ""; }

    internal StocktakingProcedures(Guid id, int year, Instant contributionDeadline, List<string> requiredFields, Instant setAt, string setBy)
    {
        Id = id;
        Year = year;
        ContributionDeadline = contributionDeadline;
        _requiredFields = requiredFields;
        Revision = 1;
        SetAt = setAt;
        SetBy = setBy;
    }

    public Guid Id { get; private set; }
    public int Year { get; private set; }
    public Instant ContributionDeadline { get; private set; }
    public IReadOnlyList<string> RequiredFields => _requiredFields;
    /// <summary>1 when first set, one more each time the meeting changes them.</summary>
    public int Revision { get; private set; }
    public Instant SetAt { get; private set; }
    public string SetBy { get; private set; }

    internal void Replace(Instant contributionDeadline, List<string> requiredFields, Instant setAt, string setBy)
    {
        ContributionDeadline = contributionDeadline;
        _requiredFields = requiredFields;
        Revision++;
        SetAt = setAt;
        SetBy = setBy;
    }

    internal static List<string> CheckFields(IReadOnlyList<string> requiredFields)
    {
        if (requiredFields.Count == 0)
            throw DomainException.InvalidArgument($"required_fields is required (some of {string.Join(", ", EntryFields)})");
        var fields = new List<string>();
        for (var i = 0; i < requiredFields.Count; i++)
        {
            var field = requiredFields[i]?.Trim().ToLowerInvariant() ?? "";
            if (!EntryFields.Contains(field))
                throw DomainException.InvalidArgument($"required_fields[{i}] is not a field of a stocktaking entry (one of {string.Join(", ", EntryFields)})");
            if (fields.Contains(field))
                throw DomainException.InvalidArgument($"required_fields[{i}] repeats '{field}'");
            fields.Add(field);
        }
        return fields;
    }
}
