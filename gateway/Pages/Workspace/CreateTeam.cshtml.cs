using Microsoft.AspNetCore.Mvc;
using Wsis.Gateway.Workspace;
using Wsis.Teams.V1;
using TeamsClient = Wsis.Teams.V1.Teams.TeamsClient;

namespace Wsis.Gateway.Pages.Workspace;

/// <summary>CreateTeam: the secretariat creates the team of an action line that has none yet.</summary>
public sealed class CreateTeamModel(TeamsClient teams) : WorkspacePage
{
    [BindProperty] public string ActionLineCode { get; set; } = "";

    public IReadOnlyList<ActionLine> WithoutTeam { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancel) => await LoadAsync(cancel);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancel)
    {
        await LoadAsync(cancel);
        var request = new CreateTeamRequest { ActionLineCode = ActionLineCode ?? "", RequestId = RequestId };
        return await SubmitAsync(async c => await teams.CreateTeamAsync(request, cancellationToken: c),
            $"Team created: {request.ActionLineCode}", ("action_line_code", nameof(ActionLineCode)));
    }

    private async Task LoadAsync(CancellationToken cancel)
    {
        if (!Person.IsSecretariat)
        {
            return;
        }

        var lines = (await teams.ListActionLinesAsync(new ListActionLinesRequest(), cancellationToken: cancel)).ActionLines;
        var existing = (await teams.ListTeamsAsync(new ListTeamsRequest { PageSize = 200 }, cancellationToken: cancel)).Teams.Select(t => t.ActionLineCode).ToHashSet(StringComparer.Ordinal);
        WithoutTeam = lines.Where(l => !existing.Contains(l.Code)).ToList();
    }
}
