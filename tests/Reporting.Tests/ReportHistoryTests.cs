using Grpc.Core;
using Platform.Domain;
using Xunit;
using V1 = Wsis.Reporting.V1;

namespace Wsis.Reporting.Tests;

/// <summary>The history of a report the secretariat reads: who compiled, submitted and recorded its transmission, and when.</summary>
public sealed class ReportHistoryTests(ReportingServiceFixture f) : IClassFixture<ReportingServiceFixture>
{
    private V1.Reports.ReportsClient Reports => new(f.Host.Channel);

    private CallOptions Chair => f.Host.As("coord-chair", [Role.Coordinator], org: f.Chair, name: "Dana Chair");
    private CallOptions ViceChair => f.Host.As("coord-vice", [Role.Coordinator], org: f.ViceChair, name: "Victor Vice-Chair");
    private CallOptions Secretariat => f.Host.As("sec-ana", [Role.Secretariat], name: "Ana Secretariat");

    private async Task<V1.Report> Draft() => await Reports.CompileReportAsync(new V1.CompileReportRequest
    {
        PeriodStart = $"{ReportingServiceFixture.OpenYear}-01-01",
        PeriodEnd = $"{ReportingServiceFixture.OpenYear}-12-31",
    }, Chair);

    [Fact]
    public async Task A_reports_history_names_who_compiled_submitted_and_recorded_its_transmission_in_order()
    {
        var draft = await Draft();
        // A refused step leaves no line: the secretariat does not submit.
        await Assert.ThrowsAsync<RpcException>(() => Reports.SubmitToSecretaryGeneralAsync(new V1.SubmitToSecretaryGeneralRequest { ReportId = draft.Id }, Secretariat).ResponseAsync);
        var submitted = await Reports.SubmitToSecretaryGeneralAsync(new V1.SubmitToSecretaryGeneralRequest { ReportId = draft.Id }, ViceChair);
        await Reports.RecordTransmissionToGeneralAssemblyAsync(new V1.RecordTransmissionToGeneralAssemblyRequest { ReportId = draft.Id, Reference = "A/81/77" }, Secretariat);
        // Recording the same reference again changes nothing, and writes no second line.
        await Reports.RecordTransmissionToGeneralAssemblyAsync(new V1.RecordTransmissionToGeneralAssemblyRequest { ReportId = draft.Id, Reference = "A/81/77" }, Secretariat);

        var history = (await Reports.ListReportHistoryAsync(new V1.ListReportHistoryRequest { ReportId = draft.Id }, Secretariat)).Entries;

        Assert.Equal(
            [
                ("ReportCompiled", "coord-chair", "Dana Chair"),
                ("ReportSubmitted", "coord-vice", "Victor Vice-Chair"),
                ("ReportTransmitted", "sec-ana", "Ana Secretariat"),
            ],
            history.Select(h => (h.Action, h.ActorSubject, h.ActorName)).ToList());
        Assert.Contains($"{ReportingServiceFixture.OpenYear}-01-01 to {ReportingServiceFixture.OpenYear}-12-31", history[0].Detail);
        Assert.Contains(submitted.ContentSha256, history[1].Detail);
        Assert.Contains(f.ViceChair, history[1].Detail);
        Assert.Contains("A/81/77", history[2].Detail);
        var times = history.Select(h => h.At.ToDateTimeOffset()).ToList();
        Assert.Equal(times.Order(), times);
        // The database keeps microseconds; the report and its history line take the one clock reading.
        Assert.InRange(times[1] - submitted.SubmittedAt.ToDateTimeOffset(), TimeSpan.FromMilliseconds(-1), TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task Only_the_secretariat_reads_a_reports_history_a_page_at_a_time()
    {
        var draft = await Draft();
        await Reports.SubmitToSecretaryGeneralAsync(new V1.SubmitToSecretaryGeneralRequest { ReportId = draft.Id }, Chair);
        await Reports.RecordTransmissionToGeneralAssemblyAsync(new V1.RecordTransmissionToGeneralAssemblyRequest { ReportId = draft.Id, Reference = "A/81/78" }, Secretariat);

        var byChair = await Assert.ThrowsAsync<RpcException>(() => Reports.ListReportHistoryAsync(new V1.ListReportHistoryRequest { ReportId = draft.Id }, Chair).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, byChair.StatusCode);
        Assert.Equal("reporting.v1.Reports/ListReportHistory may be called only by the secretariat (role secretariat)", byChair.Status.Detail);
        var anonymous = await Assert.ThrowsAsync<RpcException>(() => Reports.ListReportHistoryAsync(new V1.ListReportHistoryRequest { ReportId = draft.Id }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => Reports.ListReportHistoryAsync(new V1.ListReportHistoryRequest { ReportId = Guid.NewGuid().ToString() }, Secretariat).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        var notAnId = await Assert.ThrowsAsync<RpcException>(() => Reports.ListReportHistoryAsync(new V1.ListReportHistoryRequest { ReportId = "report-1" }, Secretariat).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "report_id 'report-1' is not a report id (a UUID)"), (notAnId.StatusCode, notAnId.Status.Detail));

        var first = await Reports.ListReportHistoryAsync(new V1.ListReportHistoryRequest { ReportId = draft.Id, PageSize = 2 }, Secretariat);
        Assert.Equal(["ReportCompiled", "ReportSubmitted"], first.Entries.Select(e => e.Action));
        Assert.NotEqual("", first.NextPageToken);
        var second = await Reports.ListReportHistoryAsync(new V1.ListReportHistoryRequest { ReportId = draft.Id, PageSize = 2, PageToken = first.NextPageToken }, Secretariat);
        Assert.Equal(["ReportTransmitted"], second.Entries.Select(e => e.Action));
        Assert.Equal("", second.NextPageToken);
    }
}
