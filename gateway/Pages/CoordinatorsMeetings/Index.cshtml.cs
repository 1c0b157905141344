using Microsoft.AspNetCore.Mvc.RazorPages;
using Wsis.Gateway.Web;
using Wsis.Teams.V1;

namespace Wsis.Gateway.Pages.CoordinatorsMeetings;

public sealed class IndexModel(Wsis.Teams.V1.CoordinatorsMeetings.CoordinatorsMeetingsClient meetings, StakeholderNames names) : PageModel
{
    public const int PageSize = 20;

    public IReadOnlyList<CoordinatorsMeeting> Meetings { get; private set; } = [];

    public StakeholderNames Names => names;

    public PageLinks Pages { get; private set; } = new(null, null, "");

    public async Task OnGetAsync(string? from)
    {
        var page = await meetings.ListCoordinatorsMeetingsAsync(new ListCoordinatorsMeetingsRequest { PageSize = PageSize, PageToken = from ?? "" },
            cancellationToken: HttpContext.RequestAborted);
        Meetings = page.Meetings;
        await names.LoadAsync(Meetings.Select(m => m.ChairStakeholderId));
        Pages = PageLinks.For(Request, from ?? "", page.NextPageToken, "Pages of meetings");
    }
}
