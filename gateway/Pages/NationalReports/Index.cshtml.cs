using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wsis.Gateway.Web;
using Wsis.Reporting.V1;

namespace Wsis.Gateway.Pages.NationalReports;

/// <summary>National implementation reports, submitted by Member States, on which the reports to the
/// UN Secretary-General draw; shown as written.</summary>
public sealed class IndexModel(Stocktaking.StocktakingClient stocktaking) : PageModel
{
    public const int PageSize = 20;

    [FromQuery(Name = "year")] public int Year { get; set; }
    [FromQuery(Name = "country")] public string? Country { get; set; }

    public IReadOnlyList<NationalReport> Reports { get; private set; } = [];

    public PageLinks Pages { get; private set; } = new(null, null, "");

    public async Task OnGetAsync(string? from)
    {
        var page = await stocktaking.ListNationalReportsAsync(new ListNationalReportsRequest
        {
            Year = Year,
            CountryCode = (Country ?? "").ToUpperInvariant(),
            PageSize = PageSize,
            PageToken = from ?? "",
        }, cancellationToken: HttpContext.RequestAborted);
        Reports = page.Reports;
        Pages = PageLinks.For(Request, from ?? "", page.NextPageToken, "Pages of reports");
    }
}
