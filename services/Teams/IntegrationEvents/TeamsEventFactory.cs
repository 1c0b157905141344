using Wsis.Contracts.Events;
using Wsis.Teams.Model;

namespace Wsis.Teams.IntegrationEvents;

/// <summary>Builds the integration events the Teams service raises (records in contracts/Events) from domain state.</summary>
internal static class TeamsEventFactory
{
    public static StakeholderRegistered Registered(Stakeholder s) => new()
    {
        EventId = Guid.NewGuid(),
        OccurredAt = s.RegisteredAt.ToDateTimeOffset(),
        StakeholderId = s.Id.ToString(),
        Name = s.Name,
        Category = CategoryName(s.Category),
        CountryCode = s.CountryCode,
    };

    public static TeamCreated Created(Team team, ActionLine line) => new()
    {
        EventId = Guid.NewGuid(),
        OccurredAt = team.CreatedAt.ToDateTimeOffset(),
        TeamId = team.Id.ToString(),
        ActionLineCode = line.Code,
        ActionLineTitle = line.Title,
    };

    public static TeamMembershipChanged MembershipChanged(Team team, TeamMembership membership) => new()
    {
        EventId = Guid.NewGuid(),
        OccurredAt = (membership.LeftAt ?? membership.JoinedAt).ToDateTimeOffset(),
        TeamId = team.Id.ToString(),
        StakeholderId = membership.StakeholderId.ToString(),
        Change = membership.IsActive ? "JOINED" : "LEFT",
        Actor = membership.IsActive ? membership.JoinedBy : membership.LeftBy ?? "",
    };

    public static CoordinatorDesignated Designated(Team team, CoordinatorDesignation designation, Stakeholder coordinator, CoordinatorDesignation? ended) => new()
    {
        EventId = Guid.NewGuid(),
        OccurredAt = (designation.DesignatedAt ?? throw new InvalidOperationException("only a designation in force is announced")).ToDateTimeOffset(),
        TeamId = team.Id.ToString(),
        ActionLineCode = team.ActionLineCode,
        StakeholderId = designation.StakeholderId.ToString(),
        StakeholderName = coordinator.Name,
        DecisionReference = designation.DecisionReference ?? "",
        PreviousStakeholderId = ended?.StakeholderId.ToString(),
    };

    public static CoordinatorsMeetingConvened Convened(CoordinatorsMeeting m) => new()
    {
        EventId = Guid.NewGuid(),
        OccurredAt = m.ConvenedAt.ToDateTimeOffset(),
        MeetingId = m.Id.ToString(),
        StartsAt = m.StartsAt.ToDateTimeOffset(),
        Venue = m.Venue,
        ViceChairSeats = m.ViceChairSeats,
    };

    public static OfficersElected Elected(CoordinatorsMeeting m) => new()
    {
        EventId = Guid.NewGuid(),
        OccurredAt = (m.ElectionClosedAt ?? throw new InvalidOperationException("officers are announced once the election is closed")).ToDateTimeOffset(),
        MeetingId = m.Id.ToString(),
        ChairStakeholderId = m.ChairId?.ToString(),
        ViceChairStakeholderIds = [.. m.ViceChairIds.Select(id => id.ToString())],
        TieReported = m.ChairTieIds.Count > 0 || m.ViceChairTieIds.Count > 0,
    };

    public static StocktakingProceduresSet ProceduresSet(CoordinatorsMeeting m, StocktakingProcedures p) => new()
    {
        EventId = Guid.NewGuid(),
        OccurredAt = p.SetAt.ToDateTimeOffset(),
        MeetingId = m.Id.ToString(),
        Year = p.Year,
        ContributionDeadline = p.ContributionDeadline.ToDateTimeOffset(),
        RequiredFields = [.. p.RequiredFields],
    };

    /// <summary>The teams.v1.StakeholderCategory name, as events carry it.</summary>
    public static string CategoryName(StakeholderCategory c) => c switch
    {
        StakeholderCategory.Government => "GOVERNMENT",
        StakeholderCategory.PrivateSector => "PRIVATE_SECTOR",
        StakeholderCategory.CivilSociety => "CIVIL_SOCIETY",
        StakeholderCategory.IntergovernmentalOrganization => "INTERGOVERNMENTAL_ORGANIZATION",
        StakeholderCategory.InternationalOrganization => "INTERNATIONAL_ORGANIZATION",
        StakeholderCategory.AcademicAndTechnical => "ACADEMIC_AND_TECHNICAL",
        _ => "STAKEHOLDER_CATEGORY_UNSPECIFIED",
    };
}
