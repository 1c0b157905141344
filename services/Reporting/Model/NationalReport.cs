namespace Wsis.Reporting.Model;

public sealed record NationalActivityDraft(string? Title, string? Description, IReadOnlyList<string> ActionLineCodes);

public sealed record NationalReportDraft(string? CountryCode, int Year, string? Text, IReadOnlyList<NationalActivityDraft> Activities);

/// <summary>
/// A Member State's report on its national implementation of the WSIS outcomes for one year: one
/// per country and year, submitted by that Member State, never changed afterwards. The reports to
/// the UN Secretary-General draw on them.
/// </summary>
public sealed class NationalReport
{
    public const int FirstYear = 2003; // the Geneva phase of WSIS
    public const int MaxTextLength = 100_000;
    public const int MaxActivities = 500;

    private NationalReport() { CountryCode = Text = SubmittedBy = ""; }

    public Guid NationalReportId { get; private set; }
    public string CountryCode { get; private set; }
    public int Year { get; private set; }
    public string Text { get; private set; }
    public IReadOnlyList<NationalActivity> Activities { get; private set; } = [];
    public string SubmittedBy { get; private set; }
    public Instant SubmittedAt { get; private set; }

    /// <summary>
    /// The Member State of the country submits its report for a year, once. Who may is checked
    /// before the rest, unless the country itself is unreadable; every invalid field is named.
    /// <paramref name="alreadySubmitted"/> says whether the country has a report for that year.
    /// </summary>
    public static NationalReport Submit(NationalReportDraft draft, Actor actor, Instant now, bool alreadySubmitted, Guid? id = null)
    {
        var errors = new FieldErrors();
        if (!Platform.Domain.CountryCode.TryParse(draft.CountryCode, out var country))
        {
            errors.Add("country_code", "must be an ISO 3166-1 alpha-2 country code (two letters such as KE)");
        }
        else if (!actor.IsMemberStateOf(country.Value))
        {
            throw DomainException.PermissionDenied(
                $"only the Member State of {country} (role member-state, country {country}) may submit its national report; the token speaks for {(actor.Country is { } c ? c : "no country")}");
        }
        else if (alreadySubmitted)
        {
            throw DomainException.AlreadyExists($"a national report for {country} and {draft.Year} has already been submitted; there is one per country and year");
        }

        var lastYear = now.InUtc().Year + 1;
        if (draft.Year < FirstYear || draft.Year > lastYear) errors.Add("year", $"must be between {FirstYear} and {lastYear}");
        if (string.IsNullOrWhiteSpace(draft.Text)) errors.Add("text", "is required");
        else if (draft.Text.Length > MaxTextLength) errors.Add("text", $"is longer than {MaxTextLength} characters");
        if (draft.Activities.Count > MaxActivities) errors.Add("activities", $"holds at most {MaxActivities} activities");
        for (var i = 0; i < draft.Activities.Count && i < MaxActivities; i++)
        {
            var a = draft.Activities[i];
            if (string.IsNullOrWhiteSpace(a.Title)) errors.Add($"activities[{i}].title", "is required");
            for (var j = 0; j < a.ActionLineCodes.Count; j++)
            {
                if (!ActionLines.IsKnown(a.ActionLineCodes[j]))
                    errors.Add($"activities[{i}].action_line_codes[{j}]", "is not a WSIS action line (C1–C11, C7.E-GOVERNMENT … C7.E-SCIENCE)");
            }
        }
        errors.ThrowIfAny();

        return new NationalReport
        {
            NationalReportId = id ?? Guid.CreateVersion7(now.ToDateTimeOffset()),
            CountryCode = country!.Value,
            Year = draft.Year,
            Text = draft.Text!,
            Activities = draft.Activities.Select(a => new NationalActivity(
                a.Title!.Trim(), a.Description?.Trim() ?? "", a.ActionLineCodes.Select(ActionLines.Normalize).Distinct().ToList())).ToList(),
            SubmittedBy = actor.Subject,
            SubmittedAt = now,
        };
    }
}

/// <summary>One activity a national report describes, with the action lines it serves.</summary>
public sealed record NationalActivity(string Title, string Description, IReadOnlyList<string> ActionLineCodes);
