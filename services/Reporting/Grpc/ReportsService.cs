using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Platform.Security;
using V1 = Wsis.Reporting.V1;
using Wsis.Contracts.Events;
using Wsis.Reporting.Data;
using Wsis.Reporting.IntegrationEvents;
using Wsis.Reporting.Model;

namespace Wsis.Reporting.Grpc;

/// <summary>reporting.v1.Reports: compiling, submitting and publishing the reports to the UN Secretary-General.</summary>
public sealed partial class ReportsService(ReportingDbContext db, TimeProvider time, ILogger<ReportsService> logger)
    : V1.Reports.ReportsBase
{
    [Authorize(Policy = Policies.CoordinatorOrSecretariat)]
    public override async Task<V1.Report> CompileReport(V1.CompileReportRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller().RequireAuthenticated();
        var ct = context.CancellationToken;
        var officers = await db.OfficersAsync(ct);
        caller.Require(ReportingPermissions.MayCompile(caller.ToModel(), officers),
            "only the chair or a vice-chair of the coordinators' meeting, or the secretariat, may compile a report");
        var key = StocktakingService.Key(request.RequestId, context, caller);

        return await Platform.Data.IdempotencyStore.ExecuteOnceAsync(db, key, V1.Report.Parser, async _ =>
        {
            var (start, end, problems) = ReportCompiler.ParsePeriod(request.PeriodStart, request.PeriodEnd);
            RpcErrors.ThrowIfAny(problems);
            var lastYear = ReportCompiler.YearsOf(start!.Value, end!.Value)[^1];
            var firstYear = start.Value.UtcDateTime.Year;

            // Year over year looks back before the period, so contributions up to its last year load.
            var contributions = await db.Contributions.AsNoTracking().Include(c => c.Entries)
                .Where(c => c.Year <= lastYear).ToListAsync(ct);
            var national = await db.NationalReports.AsNoTracking()
                .Where(r => r.Year >= firstYear && r.Year <= lastYear).ToListAsync(ct);
            var sources = new ReportSources(contributions, national,
                await db.CoordinationAsync(ct), await db.StakeholdersAsync(ct), await db.ConsultationsAsync(ct));

            var document = ReportCompiler.Compile(sources, start.Value, end.Value, time.GetUtcNow());
            var report = Report.Draft(Guid.NewGuid(), document, caller.Subject!);
            db.Reports.Add(report);
            LogCompiled(logger, report.ReportId, request.PeriodStart, request.PeriodEnd);
            return report.ToProto();
        }, ct);
    }

    [Authorize(Policy = Policies.Coordinator)]
    public override async Task<V1.Report> SubmitToSecretaryGeneral(V1.SubmitToSecretaryGeneralRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller().RequireAuthenticated();
        var ct = context.CancellationToken;
        var officers = await db.OfficersAsync(ct);
        caller.Require(ReportingPermissions.MaySubmitToSecretaryGeneral(caller.ToModel(), officers),
            "only the chair or a vice-chair of the coordinators' meeting may submit a report to the UN Secretary-General");
        var report = await Find(request.ReportId, ct);

        var now = time.GetUtcNow();
        RpcErrors.ThrowIfAny(report.Submit(caller.Org!, now));
        ReportingOutbox.Raise(db, new ReportSubmitted
        {
            EventId = Guid.NewGuid(),
            OccurredAt = now,
            ReportId = report.ReportId.ToString(),
            PeriodStart = ReportCompiler.FirstDay(report.PeriodStart),
            PeriodEnd = ReportCompiler.LastDay(report.PeriodEnd),
            ContentSha256 = report.ContentHash!,
        }, report.ReportId.ToString());
        await SaveOrAlreadyChanged(ct);
        LogSubmitted(logger, report.ReportId, report.ContentHash!);
        return report.ToProto();
    }

    [Authorize(Policy = Policies.Secretariat)]
    public override async Task<V1.Report> RecordTransmissionToGeneralAssembly(V1.RecordTransmissionToGeneralAssemblyRequest request, ServerCallContext context)
    {
        context.GetCaller().RequireSecretariat();
        var ct = context.CancellationToken;
        var report = await Find(request.ReportId, ct);
        RpcErrors.ThrowIfAny(report.RecordTransmission(request.Reference, time.GetUtcNow()));
        await SaveOrAlreadyChanged(ct);
        return report.ToProto();
    }

    [AllowAnonymous]
    public override async Task<V1.RenderedReport> GetReport(V1.GetReportRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var report = await Find(request.Id, ct, tracked: false);
        if (!ReportingPermissions.MayRead(context.GetCaller().ToModel(), await db.OfficersAsync(ct), report.State))
            throw RpcErrors.Denied("a draft report is visible only to the chair, the vice-chairs and the secretariat until it is submitted");
        if (!report.IsIntact)
            throw new RpcException(new Status(StatusCode.DataLoss, $"report {report.ReportId} no longer matches the hash frozen at its submission"));

        var format = request.Format.ToModel();
        return new V1.RenderedReport
        {
            Report = report.ToProto(),
            Format = format.ToProto(),
            MediaType = ReportRenderer.MediaType(format),
            // The JSON form is the stored canonical content itself, byte for byte: its SHA-256 is content_sha256.
            Content = format == ReportFormat.Json ? report.Content : ReportRenderer.Render(report.Document, format, report.Seal),
        };
    }

    [AllowAnonymous]
    public override async Task<V1.ListReportsResponse> ListReports(V1.ListReportsRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var (offset, size) = Paging.Read(request.PageToken, request.PageSize);
        var seesDrafts = ReportingPermissions.MayCompile(context.GetCaller().ToModel(), await db.OfficersAsync(ct));
        // The content column is large and not needed for a listing.
        var all = (await db.Reports.AsNoTracking()
                .Select(r => new Report
                {
                    ReportId = r.ReportId, PeriodStart = r.PeriodStart, PeriodEnd = r.PeriodEnd, CompiledAt = r.CompiledAt,
                    CompiledBy = r.CompiledBy, Title = r.Title, State = r.State, ContentHash = r.ContentHash,
                    SubmittedAt = r.SubmittedAt, SubmittedBy = r.SubmittedBy, TransmissionReference = r.TransmissionReference,
                    TransmittedAt = r.TransmittedAt,
                })
                .ToListAsync(ct))
            .Where(r => seesDrafts || r.State != ReportState.Draft)
            .OrderByDescending(r => r.CompiledAt.UtcDateTime).ThenBy(r => r.ReportId)
            .ToList();
        return new V1.ListReportsResponse
        {
            Reports = { all.Skip(offset).Take(size).Select(r => r.ToProto()) },
            NextPageToken = Paging.Next(offset, size, all.Count),
        };
    }

    private async Task<Report> Find(string id, CancellationToken ct, bool tracked = true)
    {
        if (!Guid.TryParse(id, out var reportId)) throw RpcErrors.Invalid("report_id", "is not a report id");
        var q = tracked ? db.Reports : db.Reports.AsNoTracking();
        return await q.SingleOrDefaultAsync(r => r.ReportId == reportId, ct)
            ?? throw RpcErrors.NotFound($"report {reportId} does not exist");
    }

    private async Task SaveOrAlreadyChanged(CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // State is a concurrency token: someone else submitted or transmitted it meanwhile.
            throw RpcErrors.Precondition("report_id: the report changed state concurrently; read it again");
        }
    }

    [LoggerMessage(EventId = 7201, Level = LogLevel.Information, Message = "Report {ReportId} compiled for {PeriodStart} to {PeriodEnd}")]
    private static partial void LogCompiled(ILogger logger, Guid reportId, string periodStart, string periodEnd);

    [LoggerMessage(EventId = 7202, Level = LogLevel.Information, Message = "Report {ReportId} submitted to the Secretary-General, SHA-256 {ContentHash}")]
    private static partial void LogSubmitted(ILogger logger, Guid reportId, string contentHash);
}
