using Microsoft.AspNetCore.Mvc.RazorPages;
using Wsis.Gateway.Web;
using Wsis.Teams.V1;

namespace Wsis.Gateway.Pages.Stakeholders;

/// <summary>A stakeholder of the register: the teams it belongs to or coordinates, and the offices it
/// was elected to by the coordinators' meetings (the link from a coordinator back to its teams and meetings).</summary>
public sealed class DetailsModel(
    Wsis.Teams.V1.Stakeholders.StakeholdersClient stakeholders,
    Wsis.Teams.V1.Teams.TeamsClient teams,
    Wsis.Teams.V1.CoordinatorsMeetings.CoordinatorsMeetingsClient meetings) : PageModel
{
    public Stakeholder Stakeholder { get; private set; } = new();

    public IReadOnlyList<Team> Coordinates { get; private set; } = [];

    public IReadOnlyList<Team> MemberOf { get; private set; } = [];

    public IReadOnlyList<(CoordinatorsMeeting Meeting, Office Office)> Offices { get; private set; } = [];

    public async Task OnGetAsync(string id)
    {
        var aborted = HttpContext.RequestAborted;
        Stakeholder = await stakeholders.GetStakeholderAsync(new GetStakeholderRequest { Id = id }, cancellationToken: aborted);
        // At most one team per action line (18): all of them are read.
        var allTeams = await Paging.AllAsync(
            token => teams.ListTeamsAsync(new ListTeamsRequest { PageSize = 50, PageToken = token }, cancellationToken: aborted).ResponseAsync,
            r => (r.Teams, r.NextPageToken), maxPages: 5);
        Coordinates = allTeams.Where(t => t.Designations.Any(d => d.StakeholderId == id)).ToList();
        MemberOf = allTeams.Where(t => t.Members.Any(m => m.StakeholderId == id)).ToList();
        var recent = await meetings.ListCoordinatorsMeetingsAsync(new ListCoordinatorsMeetingsRequest { PageSize = 50 }, cancellationToken: aborted);
        Offices = recent.Meetings
            .SelectMany(m => (m.ChairStakeholderId == id ? [(m, Office.Chair)] : Array.Empty<(CoordinatorsMeeting, Office)>())
                .Concat(m.ViceChairStakeholderIds.Contains(id) ? [(m, Office.ViceChair)] : []))
            .ToList();
    }
}
