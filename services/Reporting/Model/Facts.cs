namespace Wsis.Reporting.Model;

// What the read models are fed with: the part of each Teams / Consultations integration event
// that Reporting needs, independent of the wire records so the rules can be tested without a bus.
// IntegrationEvents/ maps the contracts' events onto these.

public sealed record StakeholderRegistration(
    Guid EventId, Instant OccurredAt, string StakeholderId, string Name, StakeholderCategory Category, string? CountryCode);

public sealed record TeamCreation(Guid EventId, Instant OccurredAt, string TeamId, string ActionLineCode);

public sealed record CoordinatorDesignation(
    Guid EventId, Instant OccurredAt, string TeamId, string CoordinatorId, string? ActionLineCode, string? DecisionReference);

public sealed record CoordinatorsMeetingConvening(Guid EventId, Instant OccurredAt, string MeetingId, Instant StartsAt);

public sealed record OfficerElection(
    Guid EventId, Instant OccurredAt, string MeetingId, string? ChairId, IReadOnlyList<string> ViceChairIds);

public sealed record StocktakingProcedureSetting(
    Guid EventId, Instant OccurredAt, string MeetingId, int Year, Instant ContributionDeadline, IReadOnlyList<string> RequiredFields);

public sealed record ConsultationOpening(
    Guid EventId, Instant OccurredAt, string ConsultationId, string Title, Instant ResponseDeadline);

public sealed record ResponsePublication(
    Guid EventId, Instant OccurredAt, string ConsultationId, string ResponseId,
    StakeholderCategory Category, string? CountryCode, ResponseChannel Channel);

public sealed record ConsultationClosing(Guid EventId, Instant OccurredAt, string ConsultationId, int ResponseCount, string? ResponsesDigest, IReadOnlyList<CountBy>? CountsByCategory = null);

public sealed record ResultsPublication(Guid EventId, Instant OccurredAt, string ConsultationId, string? Summary);

public enum ResponseChannel
{
    Unspecified = 0,
    Web = 1,
    Email = 2,
    MailingList = 3,
}

public static class DomainNames
{
    public static string Of(StakeholderCategory category) => category switch
    {
        StakeholderCategory.Government => "Government",
        StakeholderCategory.PrivateSector => "Private sector",
        StakeholderCategory.CivilSociety => "Civil society",
        StakeholderCategory.IntergovernmentalOrganization => "Intergovernmental organization",
        StakeholderCategory.InternationalOrganization => "International organization",
        StakeholderCategory.AcademicAndTechnical => "Academic and technical community",
        StakeholderCategory.Individual => "Individual",
        _ => "Unspecified",
    };

    public static string Of(ResponseChannel channel) => channel switch
    {
        ResponseChannel.Web => "Web",
        ResponseChannel.Email => "E-mail",
        ResponseChannel.MailingList => "Mailing list",
        _ => "Unspecified",
    };

    public static string Of(EntryStatus status) => status switch
    {
        EntryStatus.Planned => "Planned",
        EntryStatus.Ongoing => "Ongoing",
        EntryStatus.Completed => "Completed",
        _ => "Unspecified",
    };
}
