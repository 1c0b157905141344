using Microsoft.AspNetCore.Mvc.RazorPages;
using Wsis.Consultations.V1;
using Wsis.Gateway.Web;

namespace Wsis.Gateway.Pages.Consultations;

public sealed class DetailsModel(PublicServices services) : PageModel
{
    public Consultation Consultation { get; private set; } = new();

    /// <summary>Responses shown on one page; the rest follow by "next page" links (and all of them in the ZIP).</summary>
    public const int PageSize = 100;

    public IReadOnlyList<Response> Responses { get; private set; } = [];

    /// <summary>The token of this page ("" for the first) and of the next one ("" on the last).</summary>
    public string ThisPage { get; private set; } = "";

    public string NextPage { get; private set; } = "";

    public async Task OnGetAsync(string id, string? from)
    {
        Consultation = await services.CallAsync(HttpContext, "consultations.v1.Consultations", "GetConsultation",
            new GetConsultationRequest { Id = id }, Consultation.Parser);
        ThisPage = from ?? ""; // not "page": Razor Pages reserve that route value
        var list = await services.CallAsync(HttpContext, "consultations.v1.Consultations", "ListResponses",
            new ListResponsesRequest { ConsultationId = id, PageSize = PageSize, PageToken = ThisPage }, ListResponsesResponse.Parser);
        Responses = list.Responses.Where(r => r.Published).ToList();
        NextPage = list.NextPageToken;
    }
}
