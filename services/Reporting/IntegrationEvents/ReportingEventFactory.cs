using Wsis.Contracts.Events;
using Wsis.Reporting.Model;

namespace Wsis.Reporting.IntegrationEvents;

/// <summary>Builds the integration events Reporting raises (records in contracts/Events) from the model's state.</summary>
internal static class ReportingEventFactory
{
    public static ContributionSubmitted Submitted(Contribution c) => new()
    {
        EventId = Guid.CreateVersion7(c.SubmittedAt.ToDateTimeOffset()),
        OccurredAt = c.SubmittedAt.ToDateTimeOffset(),
        ContributionId = c.ContributionId.ToString(),
        TeamId = c.TeamId,
        Year = c.Year,
        EntryCount = c.Entries.Count,
    };

    public static NationalReportSubmitted Submitted(NationalReport r) => new()
    {
        EventId = Guid.CreateVersion7(r.SubmittedAt.ToDateTimeOffset()),
        OccurredAt = r.SubmittedAt.ToDateTimeOffset(),
        ReportId = r.NationalReportId.ToString(),
        CountryCode = r.CountryCode,
        Year = r.Year,
    };

    public static ReportSubmitted Submitted(Report r) => new()
    {
        EventId = Guid.CreateVersion7(r.SubmittedAt!.Value.ToDateTimeOffset()),
        OccurredAt = r.SubmittedAt!.Value.ToDateTimeOffset(),
        ReportId = r.ReportId.ToString(),
        PeriodStart = r.Period.FirstDay,
        PeriodEnd = r.Period.LastDay,
        ContentSha256 = r.ContentHash!,
    };
}
