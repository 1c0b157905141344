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

    public async Task OnGetAsync()
    {
        var response = await stocktaking.ListInventoryAsync(new ListInventoryRequest
        {
            Text = Text ?? "",
            Year = Year,
            ActionLineCode = (Line ?? "").ToUpperInvariant(),
            CountryCode = (Country ?? "").ToUpperInvariant(),
            PageSize = 200,
        }, cancellationToken: HttpContext.RequestAborted);
        Entries = response.Entries;
        Total = response.TotalCount > 0 ? response.TotalCount : response.Entries.Count;
    }
}
