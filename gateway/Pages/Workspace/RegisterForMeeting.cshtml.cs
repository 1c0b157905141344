using Microsoft.AspNetCore.Mvc;
using Wsis.Gateway.Workspace;
using Wsis.Teams.V1;
using TeamsClient = Wsis.Teams.V1.Teams.TeamsClient;

namespace Wsis.Gateway.Pages.Workspace;

/// <summary>RegisterForTeamMeeting: team meetings are open to all stakeholders; one registers its own organisation.</summary>
public sealed class RegisterForMeetingModel(TeamsClient teams) : WorkspacePage
{
    [FromRoute] public string TeamId { get; set; } = "";
    [FromRoute] public string MeetingId { get; set; } = "";

    public Team Team { get; private set; } = new();
    public TeamMeeting? Meeting => Team.Meetings.FirstOrDefault(m => m.Id == MeetingId);

    public async Task OnGetAsync(CancellationToken cancel) => await LoadAsync(cancel);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancel)
    {
        await LoadAsync(cancel);
        var request = new RegisterForTeamMeetingRequest { MeetingId = MeetingId, StakeholderId = Person.Org ?? "", RequestId = RequestId };
        return await SubmitAsync(async c => await teams.RegisterForTeamMeetingAsync(request, cancellationToken: c),
            $"Registered for {Meeting?.Title}", ("stakeholder_id", ""));
    }

    private async Task LoadAsync(CancellationToken cancel) =>
        Team = await teams.GetTeamAsync(new GetTeamRequest { Id = TeamId }, cancellationToken: cancel);
}
