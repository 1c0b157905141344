namespace Wsis.Reporting.Model;

public enum EntryStatus
{
    Unspecified = 0,
    Planned = 1,
    Ongoing = 2,
    Completed = 3,
}

/// <summary>The fields of an inventory entry that stocktaking procedures can make required.</summary>
public static class EntryFields
{
    public const string Title = "title";
    public const string Description = "description";
    public const string ActionLineCodes = "action_line_codes";
    public const string CountryCodes = "country_codes";
    public const string StakeholderId = "stakeholder_id";
    public const string Url = "url";
    public const string Status = "status";

    public static IReadOnlyList<string> Known { get; } =
        [Title, Description, ActionLineCodes, CountryCodes, StakeholderId, Url, Status];

    /// <summary>Fields every entry needs whatever the procedures say: without them it cannot be placed in a report.</summary>
    public static IReadOnlyList<string> AlwaysRequired { get; } = [Title, ActionLineCodes, Status];

    /// <summary>"countryCodes", "Country-Codes" and "country_codes" name the same field.</summary>
    public static string Normalize(string name)
    {
        var chars = new List<char>(name.Length + 4);
        foreach (var ch in name.Trim())
        {
            if (ch is '-' or ' ' or '_') { chars.Add('_'); continue; }
            if (char.IsUpper(ch) && chars.Count > 0 && chars[^1] != '_') chars.Add('_');
            chars.Add(char.ToLowerInvariant(ch));
        }
        return new string(chars.ToArray());
    }
}

public sealed record EntryDraft(
    string? Title,
    string? Description,
    IReadOnlyList<string> ActionLineCodes,
    IReadOnlyList<string> CountryCodes,
    string? StakeholderId,
    string? Url,
    EntryStatus Status);

public sealed record ContributionDraft(string TeamId, int Year, IReadOnlyList<EntryDraft> Entries);

/// <summary>A team's annual contribution to the global stocktaking, as accepted.</summary>
public sealed class Contribution
{
    public Guid ContributionId { get; set; }
    public string TeamId { get; set; } = "";
    public string ActionLineCode { get; set; } = "";
    public int Year { get; set; }
    public string CoordinatorId { get; set; } = "";
    public DateTimeOffset SubmittedAt { get; set; }
    public List<InventoryEntry> Entries { get; set; } = [];
}

/// <summary>One activity in the global stocktaking inventory.</summary>
public sealed class InventoryEntry
{
    public Guid EntryId { get; set; }
    public Guid ContributionId { get; set; }
    public string TeamId { get; set; } = "";
    public int Year { get; set; }
    public int Position { get; set; }
    public string Title { get; set; } = "";
    public string Description { get; set; } = "";
    public List<string> ActionLineCodes { get; set; } = [];
    public List<string> CountryCodes { get; set; } = [];
    public string? StakeholderId { get; set; }
    public string? Url { get; set; }
    public EntryStatus Status { get; set; }
    public DateTimeOffset SubmittedAt { get; set; }
}

public static class ContributionRules
{
    public const int MaxEntries = 500;
    public const int MaxTitleLength = 300;
    public const int MaxDescriptionLength = 10_000;
    public const int MaxUrlLength = 2_000;

    /// <summary>
    /// Everything that decides whether a coordinator's contribution is accepted: who sends it,
    /// whether the year has procedures and their deadline has not passed, and each entry.
    /// </summary>
    public static Problems Validate(
        ContributionDraft draft, Caller caller, CoordinationRegister coordination, ProcedureRegister procedures, DateTimeOffset now)
    {
        var problems = new Problems();
        if (string.IsNullOrWhiteSpace(draft.TeamId))
            problems.Invalid("team_id", "is required");
        else if (!ReportingPermissions.MaySubmitContribution(caller, coordination, draft.TeamId))
            problems.Add(ProblemKind.PermissionDenied, "team_id",
                "only the designated coordinator of the team may submit its contribution");

        var procedure = procedures.ForYear(draft.Year);
        if (procedure is null)
            problems.Add(ProblemKind.FailedPrecondition, "year",
                $"the coordinators' meeting has set no stocktaking procedures for {draft.Year}");
        else if (now > procedure.ContributionDeadline)
            problems.Add(ProblemKind.FailedPrecondition, "year",
                $"the contribution deadline for {draft.Year} ({procedure.ContributionDeadline.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}) has passed");

        if (draft.Entries.Count == 0) problems.Invalid("entries", "at least one entry is required");
        if (draft.Entries.Count > MaxEntries) problems.Invalid("entries", $"at most {MaxEntries} entries per contribution");

        var required = EntryFields.AlwaysRequired.Concat(procedure?.RequiredFields ?? []).ToHashSet();
        for (var i = 0; i < draft.Entries.Count && i < MaxEntries; i++)
            ValidateEntry(draft.Entries[i], $"entries[{i}]", required, problems);
        return problems;
    }

    public static void ValidateEntry(EntryDraft e, string path, IReadOnlySet<string> required, Problems problems)
    {
        foreach (var field in required)
            if (IsMissing(e, field)) problems.Invalid($"{path}.{field}", "is required by the stocktaking procedures");

        if (e.Title is { Length: > MaxTitleLength }) problems.Invalid($"{path}.title", $"is longer than {MaxTitleLength} characters");
        if (e.Description is { Length: > MaxDescriptionLength })
            problems.Invalid($"{path}.description", $"is longer than {MaxDescriptionLength} characters");

        for (var j = 0; j < e.ActionLineCodes.Count; j++)
            if (!ActionLines.IsKnown(e.ActionLineCodes[j]))
                problems.Invalid($"{path}.action_line_codes[{j}]", $"'{Shorten(e.ActionLineCodes[j])}' is not a WSIS action line (C1–C11, C7.E-GOVERNMENT … C7.E-SCIENCE)");

        for (var j = 0; j < e.CountryCodes.Count; j++)
            if (!CountryCodes.IsAssigned(e.CountryCodes[j]))
                problems.Invalid($"{path}.country_codes[{j}]", $"'{Shorten(e.CountryCodes[j])}' is not an ISO 3166-1 alpha-2 code");

        if (!string.IsNullOrEmpty(e.Url) && !IsWellFormedUrl(e.Url))
            problems.Invalid($"{path}.url", "must be an absolute http or https URL");

        if (e.Status != EntryStatus.Unspecified && !Enum.IsDefined(e.Status))
            problems.Invalid($"{path}.status", "is not a known status (PLANNED, ONGOING, COMPLETED)");

    }

    public static bool IsWellFormedUrl(string url) =>
        url.Length <= MaxUrlLength &&
        Uri.TryCreate(url, UriKind.Absolute, out var uri) &&
        (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) &&
        !string.IsNullOrEmpty(uri.Host) &&
        !url.Any(char.IsWhiteSpace);

    private static bool IsMissing(EntryDraft e, string field) => field switch
    {
        EntryFields.Title => string.IsNullOrWhiteSpace(e.Title),
        EntryFields.Description => string.IsNullOrWhiteSpace(e.Description),
        EntryFields.ActionLineCodes => e.ActionLineCodes.Count == 0,
        EntryFields.CountryCodes => e.CountryCodes.Count == 0,
        EntryFields.StakeholderId => string.IsNullOrWhiteSpace(e.StakeholderId),
        EntryFields.Url => string.IsNullOrWhiteSpace(e.Url),
        EntryFields.Status => e.Status == EntryStatus.Unspecified,
        _ => false, // a field the procedures name but entries do not have cannot be demanded of the coordinator
    };

    // Echoing the caller's value helps them find it; capped so an error never carries a payload.
    private static string Shorten(string value) => value.Length <= 16 ? value : value[..16] + "…";

    /// <summary>The accepted contribution; codes are stored in canonical spelling.</summary>
    public static Contribution Accept(
        ContributionDraft draft, Guid contributionId, TeamCoordination team, DateTimeOffset now, Func<Guid> newId)
    {
        var contribution = new Contribution
        {
            ContributionId = contributionId,
            TeamId = draft.TeamId,
            ActionLineCode = team.ActionLineCode ?? "",
            Year = draft.Year,
            CoordinatorId = team.CoordinatorId ?? "",
            SubmittedAt = now,
        };
        for (var i = 0; i < draft.Entries.Count; i++)
        {
            var e = draft.Entries[i];
            contribution.Entries.Add(new InventoryEntry
            {
                EntryId = newId(),
                ContributionId = contributionId,
                TeamId = draft.TeamId,
                Year = draft.Year,
                Position = i,
                Title = e.Title?.Trim() ?? "",
                Description = e.Description?.Trim() ?? "",
                ActionLineCodes = e.ActionLineCodes.Select(ActionLines.Normalize).Distinct().ToList(),
                CountryCodes = e.CountryCodes.Distinct().ToList(),
                StakeholderId = string.IsNullOrWhiteSpace(e.StakeholderId) ? null : e.StakeholderId.Trim(),
                Url = string.IsNullOrWhiteSpace(e.Url) ? null : e.Url,
                Status = e.Status,
                SubmittedAt = now,
            });
        }
        return contribution;
    }
}
