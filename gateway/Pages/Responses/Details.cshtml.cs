using Microsoft.AspNetCore.Mvc.RazorPages;
using Wsis.Consultations.V1;
using Wsis.Gateway.Web;

namespace Wsis.Gateway.Pages.Responses;

public sealed class DetailsModel(Wsis.Consultations.V1.Consultations.ConsultationsClient consultations) : PageModel
{
    public Response Received { get; private set; } = new();

    public async Task OnGetAsync(string id) =>
        Received = await consultations.GetResponseAsync(new GetResponseRequest { Id = id }, cancellationToken: HttpContext.RequestAborted);
}
