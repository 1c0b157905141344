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

/// <summary>
/// A team's annual contribution to the global stocktaking: the inventory entries its designated
/// coordinator submitted for a year, against the procedures the coordinators' meeting set for it.
/// Accepted contributions never change.
/// </summary>
public sealed class Contribution
{
    public const int MaxEntries = 500;
    public const int MaxTitleLength = 300;
    public const int MaxDescriptionLength = 10_000;
    public const int MaxUrlLength = 2_000;

    private readonly List<InventoryEntry> _entries = [];

    private Contribution() { TeamId = ActionLineCode = CoordinatorId = ""; }

    public Guid ContributionId { get; private set; }
    public string TeamId { get; private set; }
    public string ActionLineCode { get; private set; }
    public int Year { get; private set; }
    /// <summary>The designated coordinator (stakeholder id) that submitted it.</summary>
    public string CoordinatorId { get; private set; }
    public Instant SubmittedAt { get; private set; }
    /// <summary>In the order the coordinator gave them (<see cref="InventoryEntry.Position"/>).</summary>
    public IReadOnlyList<InventoryEntry> Entries => _entries;

    /// <summary>
    /// The designated coordinator of the team submits its contribution for a year, before the
    /// deadline the coordinators' meeting set, with every field the procedures require. Who may is
    /// checked first, then when, then what: a refusal names the rule before the fields. Ids are
    /// UUID v7 unless <paramref name="newId"/> gives them (tests build deterministic data sets).
    /// </summary>
    public static Contribution Submit(
        ContributionDraft draft, Actor actor, CoordinationRegister coordination, ProcedureRegister procedures, Instant now, Func<Guid>? newId = null)
    {
        if (string.IsNullOrWhiteSpace(draft.TeamId))
            throw DomainException.InvalidArgument("team_id is required");
        var team = coordination.RequireDesignatedCoordinator(draft.TeamId, actor);
        var procedure = procedures.RequireOpenFor(draft.Year, now);
        CheckEntries(draft.Entries, EntryFields.AlwaysRequired.Concat(procedure.RequiredFields).ToHashSet(), draft.Year);

        newId ??= () => Guid.CreateVersion7(now.ToDateTimeOffset());
        var contribution = new Contribution
        {
            ContributionId = newId(),
            TeamId = draft.TeamId,
            ActionLineCode = team.ActionLineCode ?? "",
            Year = draft.Year,
            CoordinatorId = team.CoordinatorId ?? "",
            SubmittedAt = now,
        };
        for (var i = 0; i < draft.Entries.Count; i++)
            contribution._entries.Add(InventoryEntry.From(draft.Entries[i], newId(), contribution, i));
        return contribution;
    }

    private static void CheckEntries(IReadOnlyList<EntryDraft> entries, IReadOnlySet<string> required, int year)
    {
        var errors = new FieldErrors();
        if (entries.Count == 0) errors.Add("entries", "needs at least one entry");
        if (entries.Count > MaxEntries) errors.Add("entries", $"holds at most {MaxEntries} entries per contribution");
        for (var i = 0; i < entries.Count && i < MaxEntries; i++)
            CheckEntry(entries[i], $"entries[{i}]", required, year, errors);
        errors.ThrowIfAny();
    }

    private static void CheckEntry(EntryDraft e, string path, IReadOnlySet<string> required, int year, FieldErrors errors)
    {
        foreach (var field in required)
            if (IsMissing(e, field)) errors.Add($"{path}.{field}", $"is required by the stocktaking procedures for {year}");

        if (e.Title is { Length: > MaxTitleLength }) errors.Add($"{path}.title", $"is longer than {MaxTitleLength} characters");
        if (e.Description is { Length: > MaxDescriptionLength })
            errors.Add($"{path}.description", $"is longer than {MaxDescriptionLength} characters");

        for (var j = 0; j < e.ActionLineCodes.Count; j++)
        {
            if (!ActionLines.IsKnown(e.ActionLineCodes[j]))
                errors.Add($"{path}.action_line_codes[{j}]", $"'{FieldErrors.Shorten(e.ActionLineCodes[j])}' is not a WSIS action line (C1–C11, C7.E-GOVERNMENT … C7.E-SCIENCE)");
        }

        // Stored and counted exactly as given, so the canonical spelling is required here (CountryCode
        // alone would also read "ke" as KE).
        for (var j = 0; j < e.CountryCodes.Count; j++)
        {
            if (!CountryCode.TryParse(e.CountryCodes[j], out var code) || code.Value.Value != e.CountryCodes[j])
                errors.Add($"{path}.country_codes[{j}]", $"'{FieldErrors.Shorten(e.CountryCodes[j])}' is not an ISO 3166-1 alpha-2 code in upper case (such as KE)");
        }

        if (!string.IsNullOrEmpty(e.Url) && !IsWellFormedUrl(e.Url))
            errors.Add($"{path}.url", "must be an absolute http or https URL");

        if (e.Status != EntryStatus.Unspecified && !Enum.IsDefined(e.Status))
            errors.Add($"{path}.status", "is not a known status (PLANNED, ONGOING, COMPLETED)");
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
}

/// <summary>One activity in the global stocktaking inventory, part of the contribution that brought it.</summary>
public sealed class InventoryEntry
{
    private InventoryEntry() { TeamId = Title = Description = ""; }

    internal InventoryEntry(
        Guid entryId, Guid contributionId, string teamId, int year, int position, string title, string description,
        IReadOnlyList<string> actionLineCodes, IReadOnlyList<string> countryCodes, string? stakeholderId, string? url,
        EntryStatus status, Instant submittedAt)
    {
        EntryId = entryId;
        ContributionId = contributionId;
        TeamId = teamId;
        Year = year;
        Position = position;
        Title = title;
        Description = description;
        ActionLineCodes = actionLineCodes;
        CountryCodes = countryCodes;
        StakeholderId = stakeholderId;
        Url = url;
        Status = status;
        SubmittedAt = submittedAt;
    }

    public Guid EntryId { get; private set; }
    public Guid ContributionId { get; private set; }
    public string TeamId { get; private set; }
    public int Year { get; private set; }
    public int Position { get; private set; }
    public string Title { get; private set; }
    public string Description { get; private set; }
    public IReadOnlyList<string> ActionLineCodes { get; private set; } = [];
    public IReadOnlyList<string> CountryCodes { get; private set; } = [];
    public string? StakeholderId { get; private set; }
    public string? Url { get; private set; }
    public EntryStatus Status { get; private set; }
    public Instant SubmittedAt { get; private set; }

    /// <summary>An accepted entry; action line codes are stored in canonical spelling.</summary>
    internal static InventoryEntry From(EntryDraft e, Guid id, Contribution contribution, int position) => new(
        id, contribution.ContributionId, contribution.TeamId, contribution.Year, position,
        e.Title?.Trim() ?? "",
        e.Description?.Trim() ?? "",
        e.ActionLineCodes.Select(ActionLines.Normalize).Distinct().ToList(),
        e.CountryCodes.Distinct().ToList(),
        string.IsNullOrWhiteSpace(e.StakeholderId) ? null : e.StakeholderId.Trim(),
        string.IsNullOrWhiteSpace(e.Url) ? null : e.Url,
        e.Status,
        contribution.SubmittedAt);
}
