using Microsoft.AspNetCore.Mvc.RazorPages;
using Wsis.Gateway.Web;
using Wsis.Teams.V1;

namespace Wsis.Gateway.Pages.Teams;

public sealed class IndexModel(Wsis.Teams.V1.Teams.TeamsClient teams) : PageModel
{
    public IReadOnlyList<Team> Teams { get; private set; } = [];

    public Dictionary<string, List<TeamMeeting>> Meetings { get; } = [];

    public string NameOf(Team team, string stakeholderId) =>
        team.Members.FirstOrDefault(m => m.StakeholderId == stakeholderId)?.StakeholderName ?? stakeholderId;

    public async Task OnGetAsync()
    {
        Teams = await Paging.AllAsync(
            token => teams.ListTeamsAsync(new ListTeamsRequest { PageSize = 100, PageToken = token }, cancellationToken: HttpContext.RequestAborted).ResponseAsync,
            r => (r.Teams, r.NextPageToken));
        foreach (var team in Teams)
        {
            Meetings[team.Id] = await Paging.AllAsync(
                token => teams.ListTeamMeetingsAsync(new ListTeamMeetingsRequest { TeamId = team.Id, PageSize = 100, PageToken = token },
                    cancellationToken: HttpContext.RequestAborted).ResponseAsync,
                r => (r.Meetings, r.NextPageToken), maxPages: 5);
        }
    }
}
