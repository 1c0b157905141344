using Microsoft.AspNetCore.Mvc.RazorPages;
using Wsis.Gateway.Web;
using Wsis.Reporting.V1;

namespace Wsis.Gateway.Pages.Reports;

public sealed class IndexModel(Wsis.Reporting.V1.Reports.ReportsClient reports) : PageModel
{
    public IReadOnlyList<Report> Reports { get; private set; } = [];

    public async Task OnGetAsync()
    {
        var all = await Paging.AllAsync(
            token => reports.ListReportsAsync(new ListReportsRequest { PageSize = 100, PageToken = token }, cancellationToken: HttpContext.RequestAborted).ResponseAsync,
            r => (r.Reports, r.NextPageToken));
        // Public once submitted: drafts are not listed even if a service returns them.
        Reports = all.Where(r => r.State is ReportState.Submitted or ReportState.Transmitted).ToList();
    }
}
