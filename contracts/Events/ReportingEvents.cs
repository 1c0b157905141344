namespace Wsis.Contracts.Events;

// Integration events raised by the Reporting service (see TeamsEvents.cs for the naming and
// versioning rules).

/// <summary>A team's coordinator submitted its annual contribution to the global stocktaking.</summary>
public sealed record ContributionSubmitted
{
    public required Guid EventId { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public required string ContributionId { get; init; }
    public required string TeamId { get; init; }
    public required int Year { get; init; }
    public required int EntryCount { get; init; }
}

/// <summary>A Member State submitted its national implementation report.</summary>
public sealed record NationalReportSubmitted
{
    public required Guid EventId { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public required string ReportId { get; init; }
    public required string CountryCode { get; init; }
    public required int Year { get; init; }
}

/// <summary>The chair or a vice-chair submitted a report to the UN Secretary-General; it is frozen.</summary>
public sealed record ReportSubmitted
{
    public required Guid EventId { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public required string ReportId { get; init; }
    public required string PeriodStart { get; init; }
    public required string PeriodEnd { get; init; }
    public required string ContentSha256 { get; init; }
}
