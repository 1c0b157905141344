using Microsoft.AspNetCore.Mvc.RazorPages;
using Wsis.Consultations.V1;
using Wsis.Gateway.Web;

namespace Wsis.Gateway.Pages.Consultations;

/// <summary>
/// What the group examines and what it made known: counts by category, country and channel (on
/// every page from the service, so they cost nothing extra), groups of identical or near-identical
/// texts, the meeting that examined the responses and the published results. The responses come a
/// page at a time from the service, however many there are.
/// </summary>
public sealed class ResultsModel(Wsis.Consultations.V1.Consultations.ConsultationsClient consultations) : PageModel
{
    public const int PageSize = 50;

    public ConsultationResults Results { get; private set; } = new();

    public GroupMeeting? ExaminedAt { get; private set; }

    public PageLinks Pages { get; private set; } = new(null, null, "");

    public async Task OnGetAsync(string id, string? from)
    {
        var aborted = HttpContext.RequestAborted;
        Results = await consultations.GetConsultationResultsAsync(new GetConsultationResultsRequest { ConsultationId = id, PageSize = PageSize, PageToken = from ?? "" },
            cancellationToken: aborted);
        var examinedAt = Results.Consultation?.ExaminedAtMeetingId;
        if (!string.IsNullOrEmpty(examinedAt))
        {
            // The group meets a few times a year: the meeting is among the first pages of the list.
            var meetings = await Paging.AllAsync(
                token => consultations.ListGroupMeetingsAsync(new ListGroupMeetingsRequest { PageSize = 100, PageToken = token }, cancellationToken: aborted).ResponseAsync,
                r => (r.Meetings, r.NextPageToken), maxPages: 5);
            ExaminedAt = meetings.FirstOrDefault(m => m.Id == examinedAt);
        }
        Pages = PageLinks.For(Request, from ?? "", Results.NextPageToken, "Pages of responses", "#responses");
    }
}
