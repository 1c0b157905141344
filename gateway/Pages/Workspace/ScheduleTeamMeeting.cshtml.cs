using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Mvc;
using Wsis.Gateway.Workspace;
using Wsis.Teams.V1;
using TeamsClient = Wsis.Teams.V1.Teams.TeamsClient;

namespace Wsis.Gateway.Pages.Workspace;

/// <summary>ScheduleTeamMeeting: the designated coordinator organises the team's meetings, open to all stakeholders.</summary>
public sealed class ScheduleTeamMeetingModel(TeamsClient teams) : WorkspacePage
{
    [FromRoute] public string TeamId { get; set; } = "";
    [BindProperty] public string Title { get; set; } = "";
    [BindProperty] public DateTime StartsAt { get; set; } = DateTime.UtcNow.Date.AddDays(14).AddHours(12);
    [BindProperty] public DateTime EndsAt { get; set; } = DateTime.UtcNow.Date.AddDays(14).AddHours(14);
    [BindProperty] public string VenueOrLink { get; set; } = "";
    [BindProperty] public string? Agenda { get; set; }

    public Team Team { get; private set; } = new();

    public async Task OnGetAsync(CancellationToken cancel) => await LoadAsync(cancel);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancel)
    {
        await LoadAsync(cancel);
        var request = new ScheduleTeamMeetingRequest
        {
            TeamId = TeamId,
            Title = Title ?? "",
            StartsAt = Timestamp.FromDateTime(DateTime.SpecifyKind(StartsAt, DateTimeKind.Utc)),
            EndsAt = Timestamp.FromDateTime(DateTime.SpecifyKind(EndsAt, DateTimeKind.Utc)),
            VenueOrLink = VenueOrLink ?? "",
            Agenda = Agenda ?? "",
            RequestId = RequestId,
        };
        return await SubmitAsync(async c => await teams.ScheduleTeamMeetingAsync(request, cancellationToken: c),
            $"Meeting scheduled for {Team.ActionLineCode}: {Title}",
            ("title", nameof(Title)), ("starts_at", nameof(StartsAt)), ("ends_at", nameof(EndsAt)), ("venue_or_link", nameof(VenueOrLink)), ("agenda", nameof(Agenda)));
    }

    private async Task LoadAsync(CancellationToken cancel) =>
        Team = await teams.GetTeamAsync(new GetTeamRequest { Id = TeamId }, cancellationToken: cancel);
}
