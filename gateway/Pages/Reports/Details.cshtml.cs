using Microsoft.AspNetCore.Mvc.RazorPages;
using Wsis.Gateway.Web;
using Wsis.Reporting.V1;

namespace Wsis.Gateway.Pages.Reports;

public sealed class DetailsModel(PublicServices services) : PageModel
{
    public Report Report { get; private set; } = new();

    public async Task OnGetAsync(string id) =>
        Report = (await services.CallAsync(HttpContext, "reporting.v1.Reports", "GetReport",
            new GetReportRequest { Id = id, Format = ReportFormat.Markdown }, RenderedReport.Parser)).Report;
}
