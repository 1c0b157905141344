using Microsoft.AspNetCore.Mvc.RazorPages;
using Wsis.Gateway.Web;
using Wsis.Teams.V1;

namespace Wsis.Gateway.Pages.CoordinatorsMeetings;

/// <summary>One coordinators' meeting: its funding by the two secretariats, the officers it elected
/// with every candidate's tally (a tie reported as such, never broken here), the framework and the
/// stocktaking procedures it set.</summary>
public sealed class DetailsModel(Wsis.Teams.V1.CoordinatorsMeetings.CoordinatorsMeetingsClient meetings, StakeholderNames names) : PageModel
{
    public CoordinatorsMeeting Meeting { get; private set; } = new();

    public StakeholderNames Names => names;

    public async Task OnGetAsync(string id)
    {
        Meeting = await meetings.GetCoordinatorsMeetingAsync(new GetCoordinatorsMeetingRequest { Id = id }, cancellationToken: HttpContext.RequestAborted);
        await names.LoadAsync(Meeting.Nominations.Select(n => n.StakeholderId)
            .Concat(Meeting.Results.SelectMany(r => r.Tallies.Select(t => t.StakeholderId)))
            .Concat(Meeting.ViceChairStakeholderIds).Append(Meeting.ChairStakeholderId));
    }
}
