namespace Wsis.Contracts.Events;

// Integration events raised by the Teams service. MassTransit routes on the full type name,
// so these names and this namespace never move: a breaking change is a new record (for
// example TeamCreatedV2) published beside the old one until every consumer has moved.
// Categories and states travel as the protobuf enum names (strings), so consumers do not
// depend on numeric values. No personal data (e-mail addresses) travels on the bus.

/// <summary>A stakeholder organisation joined the register.</summary>
public sealed record StakeholderRegistered
{
    public required Guid EventId { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public required string StakeholderId { get; init; }
    public required string Name { get; init; }
    /// <summary>teams.v1.StakeholderCategory name, e.g. "CIVIL_SOCIETY".</summary>
    public required string Category { get; init; }
    public required string CountryCode { get; init; }
}

/// <summary>The team of an action line was created.</summary>
public sealed record TeamCreated
{
    public required Guid EventId { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public required string TeamId { get; init; }
    public required string ActionLineCode { get; init; }
    public required string ActionLineTitle { get; init; }
}

/// <summary>A stakeholder joined or left a team.</summary>
public sealed record TeamMembershipChanged
{
    public required Guid EventId { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public required string TeamId { get; init; }
    public required string StakeholderId { get; init; }
    /// <summary>"JOINED" or "LEFT".</summary>
    public required string Change { get; init; }
    /// <summary>Subject of whoever recorded the change.</summary>
    public required string Actor { get; init; }
}

/// <summary>The UN Secretary-General designated a team's coordinator; any previous one ended.</summary>
public sealed record CoordinatorDesignated
{
    public required Guid EventId { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public required string TeamId { get; init; }
    public required string ActionLineCode { get; init; }
    public required string StakeholderId { get; init; }
    public required string StakeholderName { get; init; }
    public required string DecisionReference { get; init; }
    /// <summary>The coordinator whose designation this one ended, if any.</summary>
    public string? PreviousStakeholderId { get; init; }
}

/// <summary>The secretariat convened a meeting of coordinators of multi-stakeholder teams.</summary>
public sealed record CoordinatorsMeetingConvened
{
    public required Guid EventId { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public required string MeetingId { get; init; }
    public required DateTimeOffset StartsAt { get; init; }
    public required string Venue { get; init; }
    public required int ViceChairSeats { get; init; }
}

/// <summary>The coordinators' meeting closed its election.</summary>
public sealed record OfficersElected
{
    public required Guid EventId { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public required string MeetingId { get; init; }
    /// <summary>Empty when a tie left the chair unfilled.</summary>
    public string? ChairStakeholderId { get; init; }
    public required IReadOnlyList<string> ViceChairStakeholderIds { get; init; }
    /// <summary>True when a tie left a seat unfilled; the election result reports the tied candidates.</summary>
    public required bool TieReported { get; init; }
}

/// <summary>The coordinators' meeting fixed the stocktaking procedures of a year.</summary>
public sealed record StocktakingProceduresSet
{
    public required Guid EventId { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public required string MeetingId { get; init; }
    public required int Year { get; init; }
    public required DateTimeOffset ContributionDeadline { get; init; }
    public required IReadOnlyList<string> RequiredFields { get; init; }
}
