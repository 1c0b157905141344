using Microsoft.AspNetCore.Mvc.RazorPages;
using Wsis.Gateway.Web;
using Wsis.Teams.V1;

namespace Wsis.Gateway.Pages.Teams;

public sealed class IndexModel(PublicServices services) : PageModel
{
    public IReadOnlyList<Team> Teams { get; private set; } = [];

    public Dictionary<string, List<TeamMeeting>> Meetings { get; } = [];

    public string NameOf(Team team, string stakeholderId) =>
        team.Members.FirstOrDefault(m => m.StakeholderId == stakeholderId)?.StakeholderName ?? stakeholderId;

    public async Task OnGetAsync()
    {
        Teams = await services.ListAllAsync(HttpContext, "teams.v1.Teams", "ListTeams",
            token => new ListTeamsRequest { PageSize = 100, PageToken = token }, ListTeamsResponse.Parser, r => (r.Teams, r.NextPageToken));
        foreach (var team in Teams)
        {
            Meetings[team.Id] = await services.ListAllAsync(HttpContext, "teams.v1.Teams", "ListTeamMeetings",
                token => new ListTeamMeetingsRequest { TeamId = team.Id, PageSize = 100, PageToken = token },
                ListTeamMeetingsResponse.Parser, r => (r.Meetings, r.NextPageToken), maxPages: 5);
        }
    }
}
