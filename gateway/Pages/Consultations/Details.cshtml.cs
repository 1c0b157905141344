using Microsoft.AspNetCore.Mvc.RazorPages;
using Wsis.Consultations.V1;
using Wsis.Gateway.Web;

namespace Wsis.Gateway.Pages.Consultations;

public sealed class DetailsModel(Wsis.Consultations.V1.Consultations.ConsultationsClient consultations) : PageModel
{
    public Consultation Consultation { get; private set; } = new();

    /// <summary>Responses shown on one page; the rest follow by "next page" links (and all of them in the ZIP).</summary>
    public const int PageSize = 100;

    public IReadOnlyList<Response> Responses { get; private set; } = [];

    /// <summary>The token of this page ("" for the first) and of the next one ("" on the last).</summary>
    public string ThisPage { get; private set; } = "";

    public string NextPage { get; private set; } = "";

    public PageLinks Pages { get; private set; } = new(null, null, "");

    public async Task OnGetAsync(string id, string? from)
    {
        Consultation = await consultations.GetConsultationAsync(new GetConsultationRequest { Id = id }, cancellationToken: HttpContext.RequestAborted);
        ThisPage = from ?? ""; // not "page": Razor Pages reserve that route value
        var list = await consultations.ListResponsesAsync(new ListResponsesRequest { ConsultationId = id, PageSize = PageSize, PageToken = ThisPage },
            cancellationToken: HttpContext.RequestAborted);
        Responses = list.Responses.Where(r => r.Published).ToList();
        NextPage = list.NextPageToken;
        Pages = PageLinks.For(Request, ThisPage, NextPage, "Pages of responses", "#responses");
    }
}
