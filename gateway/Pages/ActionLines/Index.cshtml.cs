using Microsoft.AspNetCore.Mvc.RazorPages;
using Wsis.Gateway.Web;
using Wsis.Teams.V1;

namespace Wsis.Gateway.Pages.ActionLines;

/// <summary>The 18 action lines of the WSIS Plan of Action (C1–C11, with C7's eight e-applications),
/// each with its team if one was created. A fixed catalogue: one page.</summary>
public sealed class IndexModel(Wsis.Teams.V1.Teams.TeamsClient teams) : PageModel
{
    public IReadOnlyList<ActionLine> Lines { get; private set; } = [];

    public Dictionary<string, Team> TeamOf { get; private set; } = [];

    public async Task OnGetAsync()
    {
        var aborted = HttpContext.RequestAborted;
        var lines = teams.ListActionLinesAsync(new ListActionLinesRequest(), cancellationToken: aborted).ResponseAsync;
        var all = await Paging.AllAsync(
            token => teams.ListTeamsAsync(new ListTeamsRequest { PageSize = 50, PageToken = token }, cancellationToken: aborted).ResponseAsync,
            r => (r.Teams, r.NextPageToken), maxPages: 5);
        Lines = (await lines).ActionLines;
        TeamOf = all.GroupBy(t => t.ActionLineCode).ToDictionary(g => g.Key, g => g.First());
    }
}
