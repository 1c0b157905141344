using Wsis.Contracts.Events;
using Wsis.Reporting.Model;

namespace Wsis.Reporting.IntegrationEvents;

/// <summary>
/// Maps the contracts' integration events onto the facts the read models take. Times become
/// instants (comparisons must not depend on the sender's offset);
/// enum names travel as strings and unknown ones become Unspecified rather than failing a delivery.
/// </summary>
public static class EventTranslation
{
    public static StakeholderRegistration ToFact(this StakeholderRegistered e) =>
        new(e.EventId, Instant.FromDateTimeOffset(e.OccurredAt), e.StakeholderId, e.Name, Category(e.Category), NullIfBlank(e.CountryCode));

    public static TeamCreation ToFact(this TeamCreated e) =>
        new(e.EventId, Instant.FromDateTimeOffset(e.OccurredAt), e.TeamId, e.ActionLineCode);

    public static CoordinatorDesignation ToFact(this CoordinatorDesignated e) =>
        new(e.EventId, Instant.FromDateTimeOffset(e.OccurredAt), e.TeamId, e.StakeholderId, NullIfBlank(e.ActionLineCode), NullIfBlank(e.DecisionReference));

    public static CoordinatorsMeetingConvening ToFact(this CoordinatorsMeetingConvened e) =>
        new(e.EventId, Instant.FromDateTimeOffset(e.OccurredAt), e.MeetingId, Instant.FromDateTimeOffset(e.StartsAt));

    public static OfficerElection ToFact(this OfficersElected e) =>
        new(e.EventId, Instant.FromDateTimeOffset(e.OccurredAt), e.MeetingId, NullIfBlank(e.ChairStakeholderId), e.ViceChairStakeholderIds);

    public static StocktakingProcedureSetting ToFact(this StocktakingProceduresSet e) =>
        new(e.EventId, Instant.FromDateTimeOffset(e.OccurredAt), e.MeetingId, e.Year, Instant.FromDateTimeOffset(e.ContributionDeadline), e.RequiredFields);

    public static ConsultationOpening ToFact(this ConsultationOpened e) =>
        new(e.EventId, Instant.FromDateTimeOffset(e.OccurredAt), e.ConsultationId, e.Title, Instant.FromDateTimeOffset(e.Deadline));

    public static ResponsePublication ToFact(this ResponsePublished e) =>
        new(e.EventId, Instant.FromDateTimeOffset(e.OccurredAt), e.ConsultationId, e.ResponseId,
            Category(e.RespondentCategory), NullIfBlank(e.CountryCode), Channel(e.Channel));

    public static ConsultationClosing ToFact(this ConsultationClosed e) =>
        new(e.EventId, Instant.FromDateTimeOffset(e.OccurredAt), e.ConsultationId, e.ResponseCount, NullIfBlank(e.ResponsesDigest),
            e.CountsByCategory
                .GroupBy(kv => DomainNames.Of(Category(kv.Key)))
                .Select(g => new CountBy(g.Key, g.Sum(kv => kv.Value)))
                .ToList());

    public static ResultsPublication ToFact(this ConsultationResultsPublished e) =>
        new(e.EventId, Instant.FromDateTimeOffset(e.OccurredAt), e.ConsultationId, NullIfBlank(e.Summary));

    /// <summary>"CIVIL_SOCIETY" → CivilSociety; the teams.v1 and consultations.v1 enums share these names.</summary>
    public static StakeholderCategory Category(string? name) =>
        Enum.TryParse<StakeholderCategory>((name ?? "").Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out var c) &&
        Enum.IsDefined(c) && !int.TryParse(name, out _)
            ? c
            : StakeholderCategory.Unspecified;

    public static ResponseChannel Channel(string? name) =>
        Enum.TryParse<ResponseChannel>((name ?? "").Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out var c) &&
        Enum.IsDefined(c) && !int.TryParse(name, out _)
            ? c
            : ResponseChannel.Unspecified;

    private static string? NullIfBlank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
