using Microsoft.AspNetCore.Mvc.RazorPages;
using Wsis.Consultations.V1;
using Wsis.Gateway.Web;

namespace Wsis.Gateway.Pages.Responses;

public sealed class DetailsModel(PublicServices services) : PageModel
{
    public Response Received { get; private set; } = new();

    public async Task OnGetAsync(string id) =>
        Received = await services.CallAsync(HttpContext, "consultations.v1.Consultations", "GetResponse",
            new GetResponseRequest { Id = id }, Wsis.Consultations.V1.Response.Parser);
}
