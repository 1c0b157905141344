using Platform.Messaging;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Platform.Security;
using Wsis.Reporting.Data;
using Wsis.Reporting.IntegrationEvents;
using Wsis.Reporting.Model;
using V1 = Wsis.Reporting.V1;

namespace Wsis.Reporting.Grpc;

/// <summary>reporting.v1.Reports: compiling, submitting and publishing the reports to the UN Secretary-General.</summary>
public sealed partial class ReportsService(ReportingDbContext db, TimeProvider time, ILogger<ReportsService> logger)
    : V1.Reports.ReportsBase
{
    [Authorize(Policy = Policies.CoordinatorOrSecretariat)]
    public override async Task<V1.Report> CompileReport(V1.CompileReportRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller().RequireAuthenticated();
        var key = IdempotencyKey.ForCall(request.RequestId, context, caller);
        return await IdempotencyStore.ExecuteOnceAsync(db, key, V1.Report.Parser, async ct =>
        {
            var compiler = Report.CompilerFor(Mapping.ActorOf(caller), await db.OfficersAsync(ct));
            var period = ReportPeriod.Parse(request.PeriodStart, request.PeriodEnd);
            var report = compiler.Compile(period, await SourcesAsync(period, ct), Mapping.Now(time));
            db.Reports.Add(report);
            LogCompiled(logger, report.ReportId, report.Period.FirstDay, report.Period.LastDay);
            return Mapping.ToMessage(report);
        }, context.CancellationToken);
    }

    [Authorize(Policy = Policies.Coordinator)]
    public override async Task<V1.Report> SubmitToSecretaryGeneral(V1.SubmitToSecretaryGeneralRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller().RequireAuthenticated();
        var actor = Mapping.ActorOf(caller);
        var key = IdempotencyKey.ForCall(request.RequestId, context, caller);
        Report? submitted = null;
        // State is a concurrency token: of two officers submitting one draft at once, the second gets ABORTED
        // (the same request twice at once: the second gets the first's answer).
        var answer = await IdempotencyStore.ExecuteOnceAsync(db, key, V1.Report.Parser, async ct =>
        {
            var report = await Find(request.ReportId, "report_id", ct);
            report.Submit(actor, await db.OfficersAsync(ct), Mapping.Now(time));
            db.AddIntegrationEvent(ReportingEventFactory.Submitted(report), report.ReportId.ToString());
            submitted = report;
            return Mapping.ToMessage(report);
        }, context.CancellationToken);
        // Only when this call submitted it (a replay runs nothing and finds nothing to log).
        if (submitted is { ContentHash: { } hash })
            LogSubmitted(logger, submitted.ReportId, hash);
        return answer;
    }

    [Authorize(Policy = Policies.Secretariat)]
    public override async Task<V1.Report> RecordTransmissionToGeneralAssembly(V1.RecordTransmissionToGeneralAssemblyRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller().RequireAuthenticated();
        var actor = Mapping.ActorOf(caller);
        var key = IdempotencyKey.ForCall(request.RequestId, context, caller);
        return await IdempotencyStore.ExecuteOnceAsync(db, key, V1.Report.Parser, async ct =>
        {
            var report = await Find(request.ReportId, "report_id", ct);
            report.RecordTransmission(request.Reference, actor, Mapping.Now(time));
            return Mapping.ToMessage(report);
        }, context.CancellationToken);
    }

    [AllowAnonymous]
    public override async Task<V1.RenderedReport> GetReport(V1.GetReportRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var report = await Find(request.Id, "id", ct, tracked: false);
        report.RequireReadableBy(Mapping.ActorOf(context.GetCaller()), await db.OfficersAsync(ct));
        if (!report.IsIntact)
            throw new RpcException(new Status(StatusCode.DataLoss, $"report {report.ReportId} no longer matches the hash frozen at its submission"));

        var format = Mapping.ToModel(request.Format);
        return new V1.RenderedReport
        {
            Report = Mapping.ToMessage(report),
            Format = Mapping.ToMessage(format),
            MediaType = ReportRenderer.MediaType(format),
            // The JSON form is the stored canonical content itself, byte for byte: its SHA-256 is content_sha256.
            Content = format == ReportFormat.Json ? report.Content : ReportRenderer.Render(report.Document, format, report.Seal),
        };
    }

    [AllowAnonymous]
    public override async Task<V1.ListReportsResponse> ListReports(V1.ListReportsRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var page = Paging.ReadOffset(request.PageSize, request.PageToken);
        var seesDrafts = (await db.OfficersAsync(ct)).IsOfficerOrSecretariat(Mapping.ActorOf(context.GetCaller()));
        // The content column is large and not needed for a listing.
        var all = (await db.Reports.AsNoTracking()
                .Select(r => new Listed(r.ReportId, r.PeriodStart, r.PeriodEnd, r.CompiledAt, r.CompiledBy, r.Title, r.State,
                    r.ContentHash, r.SubmittedAt, r.TransmissionReference, r.TransmittedAt))
                .ToListAsync(ct))
            .Where(r => seesDrafts || r.State != ReportState.Draft)
            .OrderByDescending(r => r.CompiledAt).ThenBy(r => r.ReportId)
            .ToList();
        var slice = all.Skip(page.Offset).Take(page.Size).ToList();
        return new V1.ListReportsResponse
        {
            Reports = { slice.Select(ToMessage) },
            NextPageToken = page.NextAt(slice.Count, all.Count),
        };
    }

    [Authorize(Policy = Policies.Secretariat)]
    public override async Task<V1.ListHistoryResponse> ListReportHistory(V1.ListReportHistoryRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var page = Paging.Read(request.PageSize, request.PageToken);
        if (!Guid.TryParse(request.ReportId, out var reportId))
            throw DomainException.InvalidArgument($"report_id '{FieldText(request.ReportId)}' is not a report id (a UUID)");
        if (!await db.Reports.AnyAsync(r => r.ReportId == reportId, ct))
            throw DomainException.NotFound($"report {reportId} does not exist");
        var (entries, next) = await db.ReadHistoryAsync(HistorySubject.Report, reportId, page, ct);
        return Mapping.ToMessage(entries, next);
    }

    /// <summary>What a report draws on: the contributions up to its last year (year over year looks back), the national reports and consultations of its period.</summary>
    private async Task<ReportSources> SourcesAsync(ReportPeriod period, CancellationToken ct)
    {
        var firstYear = period.Years[0];
        var lastYear = period.Years[^1];
        var contributions = await db.Contributions.AsNoTracking().Include(c => c.Entries).Where(c => c.Year <= lastYear).ToListAsync(ct);
        var national = await db.NationalReports.AsNoTracking().Where(r => r.Year >= firstYear && r.Year <= lastYear).ToListAsync(ct);
        return new ReportSources(contributions, national,
            await db.CoordinationAsync(ct), await db.StakeholdersAsync(ct), await db.ConsultationsAsync(ct));
    }

    private async Task<Report> Find(string id, string field, CancellationToken ct, bool tracked = true)
    {
        if (!Guid.TryParse(id, out var reportId)) throw DomainException.InvalidArgument($"{field} '{FieldText(id)}' is not a report id (a UUID)");
        var q = tracked ? db.Reports : db.Reports.AsNoTracking();
        return await q.SingleOrDefaultAsync(r => r.ReportId == reportId, ct)
            ?? throw DomainException.NotFound($"report {reportId} does not exist");
    }

    /// <summary>A report as listed: everything but its content.</summary>
    private sealed record Listed(
        Guid ReportId, Instant PeriodStart, Instant PeriodEnd, Instant CompiledAt, string CompiledBy, string Title, ReportState State,
        string? ContentHash, Instant? SubmittedAt, string? TransmissionReference, Instant? TransmittedAt);

    private static V1.Report ToMessage(Listed r) => new()
    {
        Id = r.ReportId.ToString(),
        PeriodStart = ReportPeriod.FirstDayOf(r.PeriodStart),
        PeriodEnd = ReportPeriod.LastDayOf(r.PeriodEnd),
        State = Mapping.ToMessage(r.State),
        CompiledAt = Mapping.Stamp(r.CompiledAt),
        CompiledBy = r.CompiledBy,
        SubmittedAt = Mapping.Stamp(r.SubmittedAt),
        ContentSha256 = r.ContentHash ?? "",
        GeneralAssemblyReference = r.TransmissionReference ?? "",
        TransmittedAt = Mapping.Stamp(r.TransmittedAt),
        Title = r.Title,
    };

    private static string FieldText(string value) => value.Length <= 40 ? value : value[..40] + "…";

    [LoggerMessage(EventId = 7201, Level = LogLevel.Information, Message = "Report {ReportId} compiled for {PeriodStart} to {PeriodEnd}")]
    private static partial void LogCompiled(ILogger logger, Guid reportId, string periodStart, string periodEnd);

    [LoggerMessage(EventId = 7202, Level = LogLevel.Information, Message = "Report {ReportId} submitted to the Secretary-General, SHA-256 {ContentHash}")]
    private static partial void LogSubmitted(ILogger logger, Guid reportId, string contentHash);
}
