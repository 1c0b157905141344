using Microsoft.AspNetCore.Mvc.RazorPages;
using Wsis.Consultations.V1;
using Wsis.Gateway.Web;

namespace Wsis.Gateway.Pages.Consultations;

public sealed class IndexModel(PublicServices services) : PageModel
{
    public IReadOnlyList<Consultation> Consultations { get; private set; } = [];

    public async Task OnGetAsync() =>
        Consultations = await services.ListAllAsync(HttpContext, "consultations.v1.Consultations", "ListConsultations",
            token => new ListConsultationsRequest { PageSize = 100, PageToken = token },
            ListConsultationsResponse.Parser, r => (r.Consultations, r.NextPageToken));
}
