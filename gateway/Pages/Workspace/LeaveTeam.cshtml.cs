using Microsoft.AspNetCore.Mvc;
using Wsis.Gateway.Workspace;
using Wsis.Teams.V1;
using TeamsClient = Wsis.Teams.V1.Teams.TeamsClient;

namespace Wsis.Gateway.Pages.Workspace;

/// <summary>LeaveTeam: a stakeholder leaves a team for its own organisation, the secretariat removes any
/// member. The method takes no request_id: the gateway keeps the form's (<see cref="ActedForms"/>).</summary>
public sealed class LeaveTeamModel(TeamsClient teams) : WorkspacePage
{
    [FromRoute] public string TeamId { get; set; } = "";
    [BindProperty] public string StakeholderId { get; set; } = "";

    public Team Team { get; private set; } = new();

    public async Task OnGetAsync(CancellationToken cancel)
    {
        await LoadAsync(cancel);
        StakeholderId = Person.IsSecretariat ? "" : Person.Org ?? "";
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancel)
    {
        await LoadAsync(cancel);
        var request = new LeaveTeamRequest { TeamId = TeamId, StakeholderId = StakeholderId ?? "" };
        var name = Team.Members.FirstOrDefault(m => m.StakeholderId == request.StakeholderId)?.StakeholderName ?? request.StakeholderId;
        return await SubmitOnceAsync(async c => await teams.LeaveTeamAsync(request, cancellationToken: c),
            $"{name} left the team {Team.ActionLineCode} {Team.ActionLineTitle}",
            ("stakeholder_id", nameof(StakeholderId)));
    }

    private async Task LoadAsync(CancellationToken cancel) =>
        Team = await teams.GetTeamAsync(new GetTeamRequest { Id = TeamId }, cancellationToken: cancel);
}
