namespace Wsis.Reporting.Model;

// The compiled report as data. It is what gets frozen (its canonical JSON is hashed at
// submission); the HTML and Markdown forms are renderings of it, so they cannot drift from
// what was submitted.

public sealed record ReportDocument(
    string Title,
    Instant PeriodStart,
    Instant PeriodEnd,
    Instant CompiledAt,
    IReadOnlyList<int> Years,
    IReadOnlyList<ActionLineSection> Sections,
    IReadOnlyList<NationalReportSummary> NationalReports,
    IReadOnlyList<ConsultationSummary> Consultations,
    IReadOnlyList<Figure> Figures);

public sealed record ActionLineSection(
    string Code,
    string Title,
    string? TeamId,
    string? CoordinatorName,
    IReadOnlyList<ContributionSummary> Contributions,
    IReadOnlyList<EntrySummary> InventoryEntries);

public sealed record ContributionSummary(Guid ContributionId, string ActionLineCode, int Year, Instant SubmittedAt, int EntryCount);

public sealed record EntrySummary(
    Guid EntryId,
    int Year,
    string Title,
    string Description,
    IReadOnlyList<string> ActionLineCodes,
    IReadOnlyList<string> CountryCodes,
    string? StakeholderName,
    string StakeholderCategory,
    string? Url,
    string Status);

public sealed record NationalReportSummary(string CountryCode, int Year, Instant SubmittedAt, string Text, IReadOnlyList<ActivitySummary> Activities);

public sealed record ActivitySummary(string Title, string Description, IReadOnlyList<string> ActionLineCodes);

public sealed record ConsultationSummary(
    string ConsultationId,
    string Title,
    Instant OpenedAt,
    Instant? ResponseDeadline,
    Instant? ClosedAt,
    int ResponseCount,
    IReadOnlyList<CountBy> ByCategory,
    IReadOnlyList<CountBy> ByCountry,
    IReadOnlyList<CountBy> ByChannel,
    string? ResultsSummary);

/// <summary>A figure of the report: counts by one dimension, drawn as a bar chart in HTML and as a table elsewhere.</summary>
public sealed record Figure(string Id, string Title, string Description, string CategoryLabel, string ValueLabel, IReadOnlyList<CountBy> Bars);
