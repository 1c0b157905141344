using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wsis.Gateway.Web;
using Wsis.Reporting.V1;

namespace Wsis.Gateway.Pages.Inventory;

public sealed class IndexModel(Stocktaking.StocktakingClient stocktaking) : PageModel
{
    [FromQuery(Name = "text")] public string? Text { get; set; }
    [FromQuery(Name = "year")] public int Year { get; set; }
    [FromQuery(Name = "line")] public string? Line { get; set; }
    [FromQuery(Name = "country")] public string? Country { get; set; }

    public IReadOnlyList<InventoryEntry> Entries { get; private set; } = [];

    public int Total { get; private set; }

    public const int PageSize = 50;

    public PageLinks Pages { get; private set; } = new(null, null, "");

    public async Task OnGetAsync(string? from)
    {
        var response = await stocktaking.ListInventoryAsync(new ListInventoryRequest
        {
            Text = Text ?? "",
            Year = Year,
            ActionLineCode = (Line ?? "").ToUpperInvariant(),
            CountryCode = (Country ?? "").ToUpperInvariant(),
            PageSize = PageSize,
            PageToken = from ?? "",
        }, cancellationToken: HttpContext.RequestAborted);
        Pages = PageLinks.For(Request, from ?? "", response.NextPageToken, "Pages of entries");
        Entries = response.Entries;
        Total = response.TotalCount > 0 ? response.TotalCount : response.Entries.Count;
    }
}
