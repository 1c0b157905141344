using Microsoft.AspNetCore.Mvc.RazorPages;
using Wsis.Consultations.V1;
using Wsis.Gateway.Web;

namespace Wsis.Gateway.Pages.Consultations;

public sealed class IndexModel(Wsis.Consultations.V1.Consultations.ConsultationsClient consultations) : PageModel
{
    public const int PageSize = 25;

    public IReadOnlyList<Consultation> Consultations { get; private set; } = [];

    public PageLinks Pages { get; private set; } = new(null, null, "");

    public async Task OnGetAsync(string? from)
    {
        var page = await consultations.ListConsultationsAsync(new ListConsultationsRequest { PageSize = PageSize, PageToken = from ?? "" },
            cancellationToken: HttpContext.RequestAborted);
        Consultations = page.Consultations;
        Pages = PageLinks.For(Request, from ?? "", page.NextPageToken, "Pages of consultations");
    }
}
