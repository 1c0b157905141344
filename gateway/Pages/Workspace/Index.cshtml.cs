using Platform.Domain;
using Wsis.Consultations.V1;
using Wsis.Gateway.Workspace;
using Wsis.Teams.V1;
using ConsultationsClient = Wsis.Consultations.V1.Consultations.ConsultationsClient;
using TeamsClient = Wsis.Teams.V1.Teams.TeamsClient;

namespace Wsis.Gateway.Pages.Workspace;

/// <summary>
/// What the signed-in person can do now, by role, read from the services with the person's own token:
/// consultations to examine and unassigned e-mails (secretariat), teams waiting for a coordinator
/// (secretariat), consultations open for the group (Member States), the teams one coordinates, elections
/// one votes in and contributions to submit (coordinators), the meetings one chairs and reports to compile
/// (the chair and vice-chairs), teams to join or leave (stakeholders).
/// </summary>
public sealed class IndexModel(
    TeamsClient teams,
    Wsis.Teams.V1.CoordinatorsMeetings.CoordinatorsMeetingsClient meetings,
    ConsultationsClient consultations) : WorkspacePage
{
    public string? Done { get; private set; }
    public IReadOnlyList<Team> Teams { get; private set; } = [];
    public IReadOnlyList<Consultation> Consultations { get; private set; } = [];
    public IReadOnlyList<Response> Unassigned { get; private set; } = [];
    public IReadOnlyList<CoordinatorsMeeting> Meetings { get; private set; } = [];

    public IEnumerable<CoordinatorsMeeting> OpenElections => Meetings.Where(m => m.ElectionState == ElectionState.ElectionOpen);

    /// <summary>The meetings whose elected chair is the person's organisation: it sets their framework and procedures.</summary>
    public IEnumerable<CoordinatorsMeeting> Chaired =>
        Person.HasRole(Role.Coordinator) && Person.Org is { } org ? Meetings.Where(m => m.ChairStakeholderId == org) : [];

    /// <summary>
    /// The person's organisation is the chair or a vice-chair in office, by Reporting's rule: the officers of
    /// the latest meeting (by its start) that elected any. Only they (and the secretariat) compile and submit reports.
    /// </summary>
    public bool IsOfficerInOffice =>
        Person.HasRole(Role.Coordinator) && Person.Org is { } org
        && Meetings.Where(m => m.ChairStakeholderId.Length > 0 || m.ViceChairStakeholderIds.Count > 0).MaxBy(m => m.StartsAt?.ToDateTimeOffset()) is { } latest
        && (latest.ChairStakeholderId == org || latest.ViceChairStakeholderIds.Contains(org));

    public IEnumerable<Consultation> ToExamine => Consultations.Where(c => c.State == ConsultationState.Closed);
    public IEnumerable<Consultation> Open => Consultations.Where(c => c.State == ConsultationState.Open);
    public IEnumerable<Team> AwaitingCoordinator => Teams.Where(t => t.DesignationState != DesignationState.Designated);
    public IEnumerable<Team> Coordinated => Person.Org is { } org ? Teams.Where(t => t.CoordinatorStakeholderId == org) : [];
    public IEnumerable<Team> ToJoin => Person.Org is { } org ? Teams.Where(t => t.Members.All(m => m.StakeholderId != org)) : [];
    public IEnumerable<Team> Joined => Person.Org is { } org ? Teams.Where(t => t.Members.Any(m => m.StakeholderId == org)) : [];

    public async Task OnGetAsync(CancellationToken cancel)
    {
        Done = TempData[WorkspaceMessages.Done] as string;
        Teams = (await teams.ListTeamsAsync(new ListTeamsRequest { PageSize = 200 }, cancellationToken: cancel)).Teams;
        Consultations = (await consultations.ListConsultationsAsync(new ListConsultationsRequest { PageSize = 200 }, cancellationToken: cancel)).Consultations;
        if (Person.IsSecretariat)
        {
            Unassigned = (await consultations.ListUnassignedResponsesAsync(new ListUnassignedResponsesRequest { PageSize = 50 }, cancellationToken: cancel)).Responses;
        }

        if (Person.HasRole(Role.Coordinator) || Person.IsSecretariat)
        {
            Meetings = (await meetings.ListCoordinatorsMeetingsAsync(new ListCoordinatorsMeetingsRequest { PageSize = 200 }, cancellationToken: cancel)).Meetings;
        }
    }

    public string TeamName(Team team) => $"{team.ActionLineCode} {team.ActionLineTitle}";
}
