using Microsoft.AspNetCore.Mvc.RazorPages;
using Wsis.Consultations.V1;
using Wsis.Gateway.Web;

namespace Wsis.Gateway.Pages.Consultations;

public sealed class DetailsModel(PublicServices services) : PageModel
{
    public Consultation Consultation { get; private set; } = new();

    public IReadOnlyList<Response> Responses { get; private set; } = [];

    public async Task OnGetAsync(string id)
    {
        Consultation = await services.CallAsync(HttpContext, "consultations.v1.Consultations", "GetConsultation",
            new GetConsultationRequest { Id = id }, Consultation.Parser);
        var all = await services.ListAllAsync(HttpContext, "consultations.v1.Consultations", "ListResponses",
            token => new ListResponsesRequest { ConsultationId = id, PageSize = 100, PageToken = token },
            ListResponsesResponse.Parser, r => (r.Responses, r.NextPageToken));
        Responses = all.Where(r => r.Published).ToList();
    }
}
