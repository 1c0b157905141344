using Microsoft.AspNetCore.Mvc.RazorPages;
using Wsis.Gateway.Web;
using Wsis.Teams.V1;

namespace Wsis.Gateway.Pages.Teams;

public sealed class IndexModel(Wsis.Teams.V1.Teams.TeamsClient teams, StakeholderNames names) : PageModel
{
    public const int PageSize = 20;

    public IReadOnlyList<Team> Teams { get; private set; } = [];

    public StakeholderNames Names => names;

    public PageLinks Pages { get; private set; } = new(null, null, "");

    public async Task OnGetAsync(string? from)
    {
        var page = await teams.ListTeamsAsync(new ListTeamsRequest { PageSize = PageSize, PageToken = from ?? "" }, cancellationToken: HttpContext.RequestAborted);
        Teams = page.Teams;
        foreach (var team in Teams)
        {
            names.Remember(team.Members);
        }
        // A coordinator need not be a member: its name comes from the register.
        await names.LoadAsync(Teams.Select(t => t.CoordinatorStakeholderId));
        Pages = PageLinks.For(Request, from ?? "", page.NextPageToken, "Pages of teams");
    }
}
