using Microsoft.AspNetCore.Mvc.RazorPages;
using Wsis.Gateway.Web;
using Wsis.Reporting.V1;

namespace Wsis.Gateway.Pages.Reports;

public sealed class IndexModel(PublicServices services) : PageModel
{
    public IReadOnlyList<Report> Reports { get; private set; } = [];

    public async Task OnGetAsync()
    {
        var all = await services.ListAllAsync(HttpContext, "reporting.v1.Reports", "ListReports",
            token => new ListReportsRequest { PageSize = 100, PageToken = token }, ListReportsResponse.Parser, r => (r.Reports, r.NextPageToken));
        // Public once submitted: drafts are not listed even if a service returns them.
        Reports = all.Where(r => r.State is ReportState.Submitted or ReportState.Transmitted).ToList();
    }
}
