using Microsoft.AspNetCore.Mvc.RazorPages;
using Wsis.Gateway.Web;
using Wsis.Reporting.V1;

namespace Wsis.Gateway.Pages.Reports;

public sealed class DetailsModel(Wsis.Reporting.V1.Reports.ReportsClient reports) : PageModel
{
    public Report Report { get; private set; } = new();

    public async Task OnGetAsync(string id) =>
        Report = (await reports.GetReportAsync(new GetReportRequest { Id = id, Format = ReportFormat.Markdown }, cancellationToken: HttpContext.RequestAborted)).Report;
}
