using Microsoft.AspNetCore.Mvc;
using Wsis.Gateway.Workspace;
using Wsis.Teams.V1;

namespace Wsis.Gateway.Pages.Workspace;

/// <summary>CastVote: a designated coordinator casts its team's ballot for one office of the coordinators'
/// meeting: one candidate for the chair, up to the number of seats for the vice-chairs.</summary>
public sealed class VoteModel(Wsis.Teams.V1.CoordinatorsMeetings.CoordinatorsMeetingsClient meetings, Wsis.Teams.V1.Stakeholders.StakeholdersClient stakeholders) : WorkspacePage
{
    [FromRoute] public string MeetingId { get; set; } = "";
    [BindProperty(SupportsGet = true)] public Office Office { get; set; } = Office.Chair;
    [BindProperty] public List<string> CandidateIds { get; set; } = [];

    public CoordinatorsMeeting Meeting { get; private set; } = new();
    public IReadOnlyList<Stakeholder> Registered { get; private set; } = [];

    public IEnumerable<string> Candidates => Meeting.Nominations.Where(n => n.Office == Office).Select(n => n.StakeholderId).Distinct();
    public int Seats => Office == Office.Chair ? 1 : Meeting.ViceChairSeats;
    public string NameOf(string id) => Registered.FirstOrDefault(s => s.Id == id)?.Name ?? id;

    public async Task OnGetAsync(CancellationToken cancel)
    {
        if (Office == Office.Unspecified)
        {
            Office = Office.Chair;
        }

        await LoadAsync(cancel);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancel)
    {
        await LoadAsync(cancel);
        var request = new CastVoteRequest { MeetingId = MeetingId, Office = Office, RequestId = RequestId };
        request.CandidateIds.AddRange(CandidateIds.Where(c => !string.IsNullOrWhiteSpace(c)));
        return await SubmitAsync(async c => await meetings.CastVoteAsync(request, cancellationToken: c),
            $"Ballot cast for the {Web.PageFormat.EnumLabel(Office)} election",
            ("candidate_ids", nameof(CandidateIds)), ("office", nameof(Office)));
    }

    private async Task LoadAsync(CancellationToken cancel)
    {
        Meeting = await meetings.GetCoordinatorsMeetingAsync(new GetCoordinatorsMeetingRequest { Id = MeetingId }, cancellationToken: cancel);
        Registered = (await stakeholders.ListStakeholdersAsync(new ListStakeholdersRequest { PageSize = 200 }, cancellationToken: cancel)).Stakeholders;
    }
}
