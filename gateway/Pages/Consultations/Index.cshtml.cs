using Microsoft.AspNetCore.Mvc.RazorPages;
using Wsis.Consultations.V1;
using Wsis.Gateway.Web;

namespace Wsis.Gateway.Pages.Consultations;

public sealed class IndexModel(Wsis.Consultations.V1.Consultations.ConsultationsClient consultations) : PageModel
{
    public IReadOnlyList<Consultation> Consultations { get; private set; } = [];

    public async Task OnGetAsync() =>
        Consultations = await Paging.AllAsync(
            token => consultations.ListConsultationsAsync(new ListConsultationsRequest { PageSize = 100, PageToken = token }, cancellationToken: HttpContext.RequestAborted).ResponseAsync,
            r => (r.Consultations, r.NextPageToken));
}
