using Microsoft.AspNetCore.Mvc;
using Wsis.Gateway.Workspace;
using Wsis.Teams.V1;
using TeamsClient = Wsis.Teams.V1.Teams.TeamsClient;

namespace Wsis.Gateway.Pages.Workspace;

/// <summary>JoinTeam: teams are open to every stakeholder; one joins for its own organisation, the
/// secretariat for any registered stakeholder.</summary>
public sealed class JoinTeamModel(TeamsClient teams, Wsis.Teams.V1.Stakeholders.StakeholdersClient stakeholders) : WorkspacePage
{
    [FromRoute] public string TeamId { get; set; } = "";
    [BindProperty] public string StakeholderId { get; set; } = "";

    public Team Team { get; private set; } = new();
    public IReadOnlyList<Stakeholder> Registered { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancel)
    {
        await LoadAsync(cancel);
        StakeholderId = Person.Org ?? "";
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancel)
    {
        await LoadAsync(cancel);
        var request = new JoinTeamRequest { TeamId = TeamId, StakeholderId = StakeholderId ?? "", RequestId = RequestId };
        return await SubmitAsync(async c => await teams.JoinTeamAsync(request, cancellationToken: c),
            $"Joined the team {Team.ActionLineCode} {Team.ActionLineTitle}",
            ("stakeholder_id", nameof(StakeholderId)));
    }

    private async Task LoadAsync(CancellationToken cancel)
    {
        Team = await teams.GetTeamAsync(new GetTeamRequest { Id = TeamId }, cancellationToken: cancel);
        if (Person.IsSecretariat)
        {
            Registered = (await stakeholders.ListStakeholdersAsync(new ListStakeholdersRequest { PageSize = 200 }, cancellationToken: cancel)).Stakeholders;
        }
    }
}
