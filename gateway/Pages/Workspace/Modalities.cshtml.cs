using Microsoft.AspNetCore.Mvc;
using Wsis.Gateway.Workspace;
using Wsis.Teams.V1;
using TeamsClient = Wsis.Teams.V1.Teams.TeamsClient;

namespace Wsis.Gateway.Pages.Workspace;

/// <summary>SetCoordinationModalities: each team sets its own coordination modalities, through its
/// designated coordinator (a new version each time; the history stays readable).</summary>
public sealed class ModalitiesModel(TeamsClient teams) : WorkspacePage
{
    [FromRoute] public string TeamId { get; set; } = "";
    [BindProperty] public string Text { get; set; } = "";

    public Team Team { get; private set; } = new();

    public async Task OnGetAsync(CancellationToken cancel)
    {
        await LoadAsync(cancel);
        Text = Team.Modalities?.Text ?? "";
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancel)
    {
        await LoadAsync(cancel);
        var request = new SetCoordinationModalitiesRequest { TeamId = TeamId, Text = Text ?? "", RequestId = RequestId };
        return await SubmitAsync(async c => await teams.SetCoordinationModalitiesAsync(request, cancellationToken: c),
            $"Coordination modalities of {Team.ActionLineCode} set", ("text", nameof(Text)));
    }

    private async Task LoadAsync(CancellationToken cancel) =>
        Team = await teams.GetTeamAsync(new GetTeamRequest { Id = TeamId }, cancellationToken: cancel);
}
