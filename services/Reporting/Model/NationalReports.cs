namespace Wsis.Reporting.Model;

public sealed record NationalActivityDraft(string? Title, string? Description, IReadOnlyList<string> ActionLineCodes);

public sealed record NationalReportDraft(string? CountryCode, int Year, string? Text, IReadOnlyList<NationalActivityDraft> Activities);

/// <summary>A Member State's report on its national implementation for one year.</summary>
public sealed class NationalReport
{
    public Guid NationalReportId { get; set; }
    public string CountryCode { get; set; } = "";
    public int Year { get; set; }
    public string Text { get; set; } = "";
    public List<NationalActivity> Activities { get; set; } = [];
    public string SubmittedBy { get; set; } = "";
    public DateTimeOffset SubmittedAt { get; set; }
}

public sealed class NationalActivity
{
    public string Title { get; set; } = "";
    public string Description { get; set; } = "";
    public List<string> ActionLineCodes { get; set; } = [];
}

public static class NationalReportRules
{
    public const int FirstYear = 2003; // the Geneva phase of WSIS
    public const int MaxTextLength = 100_000;
    public const int MaxActivities = 500;

    public static Problems Validate(NationalReportDraft draft, Caller caller, DateTimeOffset now, bool alreadySubmitted)
    {
        var problems = new Problems();
        if (!CountryCodes.IsAssigned(draft.CountryCode))
            problems.Invalid("country_code", "must be an ISO 3166-1 alpha-2 code");
        else if (!ReportingPermissions.MaySubmitNationalReport(caller, draft.CountryCode!))
            problems.Add(ProblemKind.PermissionDenied, "country_code", "only the Member State of that country may submit its national report");
        else if (alreadySubmitted)
            problems.Add(ProblemKind.AlreadyExists, "year", $"a national report for {draft.CountryCode} and {draft.Year} has already been submitted");

        if (draft.Year < FirstYear || draft.Year > now.UtcDateTime.Year + 1)
            problems.Invalid("year", $"must be between {FirstYear} and {now.UtcDateTime.Year + 1}");
        if (string.IsNullOrWhiteSpace(draft.Text)) problems.Invalid("text", "is required");
        else if (draft.Text.Length > MaxTextLength) problems.Invalid("text", $"is longer than {MaxTextLength} characters");
        if (draft.Activities.Count > MaxActivities) problems.Invalid("activities", $"at most {MaxActivities} activities");

        for (var i = 0; i < draft.Activities.Count && i < MaxActivities; i++)
        {
            var a = draft.Activities[i];
            if (string.IsNullOrWhiteSpace(a.Title)) problems.Invalid($"activities[{i}].title", "is required");
            for (var j = 0; j < a.ActionLineCodes.Count; j++)
                if (!ActionLines.IsKnown(a.ActionLineCodes[j]))
                    problems.Invalid($"activities[{i}].action_line_codes[{j}]", "is not a WSIS action line (C1–C11, C7.E-GOVERNMENT … C7.E-SCIENCE)");
        }
        return problems;
    }

    public static NationalReport Accept(NationalReportDraft draft, Guid id, Caller caller, DateTimeOffset now) => new()
    {
        NationalReportId = id,
        CountryCode = draft.CountryCode!,
        Year = draft.Year,
        Text = draft.Text!,
        Activities = draft.Activities.Select(a => new NationalActivity
        {
            Title = a.Title!.Trim(),
            Description = a.Description?.Trim() ?? "",
            ActionLineCodes = a.ActionLineCodes.Select(ActionLines.Normalize).Distinct().ToList(),
        }).ToList(),
        SubmittedBy = caller.Subject ?? "",
        SubmittedAt = now,
    };
}
