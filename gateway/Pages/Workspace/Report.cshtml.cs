using Microsoft.AspNetCore.Mvc;
using Wsis.Gateway.Workspace;
using Wsis.Reporting.V1;

namespace Wsis.Gateway.Pages.Workspace;

/// <summary>A report in the workspace: the draft's preview and its submission to the UN Secretary-General
/// (chair or vice-chair), then the record of its transmission to the General Assembly (secretariat).
/// Neither call takes a request_id: a repeated click finds the step taken and says it is done.</summary>
public sealed class ReportModel(Wsis.Reporting.V1.Reports.ReportsClient reports) : WorkspacePage
{
    [FromRoute] public string ReportId { get; set; } = "";
    [BindProperty] public string? Reference { get; set; }

    public Report Report { get; private set; } = new();

    public async Task OnGetAsync(CancellationToken cancel) => await LoadAsync(cancel);

    public async Task<IActionResult> OnPostSubmitAsync(CancellationToken cancel)
    {
        await LoadAsync(cancel);
        if (Report.State != ReportState.Draft)
        {
            return Done("Report submitted to the UN Secretary-General");
        }

        var id = ReportId;
        return await SubmitAsync(async c => await reports.SubmitToSecretaryGeneralAsync(new SubmitToSecretaryGeneralRequest { ReportId = id, RequestId = RequestId }, cancellationToken: c),
            "Report submitted to the UN Secretary-General");
    }

    public async Task<IActionResult> OnPostTransmitAsync(CancellationToken cancel)
    {
        await LoadAsync(cancel);
        if (Report.State == ReportState.Transmitted)
        {
            return Done("Transmission to the General Assembly recorded");
        }

        string id = ReportId, reference = Reference ?? "";
        return await SubmitAsync(async c => await reports.RecordTransmissionToGeneralAssemblyAsync(
                new RecordTransmissionToGeneralAssemblyRequest { ReportId = id, Reference = reference, RequestId = RequestId }, cancellationToken: c),
            "Transmission to the General Assembly recorded", ("reference", nameof(Reference)));
    }

    private IActionResult Done(string message)
    {
        TempData[WorkspaceMessages.Done] = message;
        return RedirectToPage("/Workspace/Index");
    }

    private async Task LoadAsync(CancellationToken cancel) =>
        Report = (await reports.GetReportAsync(new GetReportRequest { Id = ReportId, Format = ReportFormat.Markdown }, cancellationToken: cancel)).Report;
}
