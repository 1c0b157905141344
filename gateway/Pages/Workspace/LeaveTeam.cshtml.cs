using Microsoft.AspNetCore.Mvc;
using Wsis.Gateway.Workspace;
using Wsis.Teams.V1;
using TeamsClient = Wsis.Teams.V1.Teams.TeamsClient;

namespace Wsis.Gateway.Pages.Workspace;

/// <summary>LeaveTeam: a stakeholder leaves a team for its own organisation, the secretariat removes any
/// member. The form's request_id goes with the call: a second post of one rendering gets the first outcome
/// from the service.</summary>
public sealed class LeaveTeamModel(TeamsClient teams, Wsis.Teams.V1.Stakeholders.StakeholdersClient stakeholders) : WorkspacePage
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
        var request = new LeaveTeamRequest { TeamId = TeamId, StakeholderId = StakeholderId ?? "", RequestId = RequestId };
        // A second post of one rendering finds the member gone already (the service answers it with the
        // first outcome): its name then comes from the register.
        var name = Team.Members.FirstOrDefault(m => m.StakeholderId == request.StakeholderId)?.StakeholderName
            ?? await RegisteredNameAsync(request.StakeholderId, cancel);
        return await SubmitAsync(async c => await teams.LeaveTeamAsync(request, cancellationToken: c),
            $"{name} left the team {Team.ActionLineCode} {Team.ActionLineTitle}",
            ("stakeholder_id", nameof(StakeholderId)));
    }

    private async Task<string> RegisteredNameAsync(string stakeholderId, CancellationToken cancel)
    {
        if (!Guid.TryParse(stakeholderId, out _))
        {
            return stakeholderId;
        }

        try
        {
            return (await stakeholders.GetStakeholderAsync(new GetStakeholderRequest { Id = stakeholderId }, cancellationToken: cancel)).Name;
        }
        catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.NotFound)
        {
            return stakeholderId;
        }
    }

    private async Task LoadAsync(CancellationToken cancel) =>
        Team = await teams.GetTeamAsync(new GetTeamRequest { Id = TeamId }, cancellationToken: cancel);
}
