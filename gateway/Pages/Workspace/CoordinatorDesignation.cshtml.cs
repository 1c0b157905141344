using Microsoft.AspNetCore.Mvc;
using Wsis.Gateway.Workspace;
using Wsis.Teams.V1;
using TeamsClient = Wsis.Teams.V1.Teams.TeamsClient;

namespace Wsis.Gateway.Pages.Workspace;

/// <summary>The secretariat records a team's coordinator step by step: nomination, the recommendation the
/// stakeholder meeting agreed on, the UN Secretary-General's designation (the service holds the order).</summary>
public sealed class CoordinatorDesignationModel(TeamsClient teams, Wsis.Teams.V1.Stakeholders.StakeholdersClient stakeholders) : WorkspacePage
{
    public enum Step { Nominate, Recommend, Designate }

    [FromRoute] public string TeamId { get; set; } = "";
    [BindProperty] public Step Action { get; set; }
    [BindProperty] public string StakeholderId { get; set; } = "";
    [BindProperty] public string? Reference { get; set; }

    public Team Team { get; private set; } = new();
    public IReadOnlyList<Stakeholder> Registered { get; private set; } = [];

    public string NameOf(string id) => Registered.FirstOrDefault(s => s.Id == id)?.Name ?? id;

    public async Task OnGetAsync(CancellationToken cancel)
    {
        await LoadAsync(cancel);
        // The next step of the team's designation, for its pending stakeholder.
        Action = Team.DesignationState switch
        {
            DesignationState.Nominated => Step.Recommend,
            DesignationState.Recommended => Step.Designate,
            _ => Step.Nominate,
        };
        StakeholderId = Team.PendingStakeholderId;
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancel)
    {
        await LoadAsync(cancel);
        string team = TeamId, stakeholder = StakeholderId ?? "", reference = Reference ?? "";
        Func<CancellationToken, Task> call = Action switch
        {
            Step.Recommend => async c => await teams.RecordCoordinatorRecommendationAsync(new RecordCoordinatorRecommendationRequest
                { TeamId = team, StakeholderId = stakeholder, MeetingReference = reference, RequestId = RequestId }, cancellationToken: c),
            Step.Designate => async c => await teams.RecordCoordinatorDesignationAsync(new RecordCoordinatorDesignationRequest
                { TeamId = team, StakeholderId = stakeholder, DecisionReference = reference, RequestId = RequestId }, cancellationToken: c),
            _ => async c => await teams.NominateCoordinatorAsync(new NominateCoordinatorRequest
                { TeamId = team, StakeholderId = stakeholder, RequestId = RequestId }, cancellationToken: c),
        };
        return await SubmitAsync(call, $"{Action} recorded for {Team.ActionLineCode}: {NameOf(stakeholder)}",
            ("stakeholder_id", nameof(StakeholderId)), ("meeting_reference", nameof(Reference)), ("decision_reference", nameof(Reference)));
    }

    private async Task LoadAsync(CancellationToken cancel)
    {
        Team = await teams.GetTeamAsync(new GetTeamRequest { Id = TeamId }, cancellationToken: cancel);
        Registered = (await stakeholders.ListStakeholdersAsync(new ListStakeholdersRequest { PageSize = 200 }, cancellationToken: cancel)).Stakeholders;
    }
}
