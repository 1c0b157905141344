using Microsoft.AspNetCore.Mvc;
using Wsis.Gateway.Workspace;
using Wsis.Reporting.V1;

namespace Wsis.Gateway.Pages.Workspace;

/// <summary>CompileReport: the chair or a vice-chair of the coordinators' meeting (or the secretariat)
/// compiles a draft for a period, then sees it before submitting it.</summary>
public sealed class CompileReportModel(Wsis.Reporting.V1.Reports.ReportsClient reports) : WorkspacePage
{
    [BindProperty] public string PeriodStart { get; set; } = new DateOnly(DateTime.UtcNow.Year, 1, 1).ToString("yyyy-MM-dd");
    [BindProperty] public string PeriodEnd { get; set; } = DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd");

    public void OnGet()
    {
    }

    public Task<IActionResult> OnPostAsync()
    {
        var request = new CompileReportRequest { PeriodStart = PeriodStart ?? "", PeriodEnd = PeriodEnd ?? "", RequestId = RequestId };
        return SubmitAsync(async c =>
            {
                var draft = await reports.CompileReportAsync(request, cancellationToken: c);
                return RedirectToPage("/Workspace/Report", new { reportId = draft.Id });
            },
            ("period_start", nameof(PeriodStart)), ("period_end", nameof(PeriodEnd)), ("period", nameof(PeriodEnd)));
    }
}
