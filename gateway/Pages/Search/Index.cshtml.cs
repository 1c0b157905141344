using Grpc.Core;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wsis.Consultations.V1;
using Wsis.Gateway.Web;

namespace Wsis.Gateway.Pages.Search;

/// <summary>Full-text search over published responses (the service's SearchResponses), within one
/// consultation or across all, by category, country and channel, a page at a time.</summary>
public sealed class IndexModel(Wsis.Consultations.V1.Consultations.ConsultationsClient consultations) : PageModel
{
    public const int PageSize = 25;

    [FromQuery(Name = "q")] public string? Query { get; set; }
    [FromQuery(Name = "consultation")] public string? ConsultationId { get; set; }
    [FromQuery(Name = "category")] public RespondentCategory Category { get; set; }
    [FromQuery(Name = "country")] public string? Country { get; set; }
    [FromQuery(Name = "channel")] public Channel Channel { get; set; }

    public Consultation? Within { get; private set; }

    public IReadOnlyList<Response> Found { get; private set; } = [];

    public bool Searched { get; private set; }

    public string? Error { get; private set; }

    public PageLinks Pages { get; private set; } = new(null, null, "");

    public async Task OnGetAsync(string? from)
    {
        var aborted = HttpContext.RequestAborted;
        if (!string.IsNullOrEmpty(ConsultationId))
        {
            Within = await consultations.GetConsultationAsync(new GetConsultationRequest { Id = ConsultationId }, cancellationToken: aborted);
        }
        if (string.IsNullOrWhiteSpace(Query))
        {
            return;
        }

        try
        {
            var page = await consultations.SearchResponsesAsync(new SearchResponsesRequest
            {
                Query = Query,
                ConsultationId = ConsultationId ?? "",
                Category = Category,
                CountryCode = (Country ?? "").Trim().ToUpperInvariant(),
                Channel = Channel,
                PageSize = PageSize,
                PageToken = from ?? "",
            }, cancellationToken: aborted);
            Found = page.Responses;
            Searched = true;
            Pages = PageLinks.For(Request, from ?? "", page.NextPageToken, "Pages of responses", "#found");
        }
        catch (RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.InvalidArgument)
        {
            // The service names what is wrong with the query; the reader sees it beside the form.
            HttpContext.Response.StatusCode = Microsoft.AspNetCore.Http.StatusCodes.Status400BadRequest;
            Error = e.Status.Detail;
        }
    }
}
