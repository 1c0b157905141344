using Google.Protobuf;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Platform.Domain;
using Platform.Messaging;
using Xunit;
using V1 = Wsis.Reporting.V1;

namespace Wsis.Reporting.Tests;

/// <summary>SubmitToSecretaryGeneral and RecordTransmissionToGeneralAssembly take a request_id like the other
/// writes: a replay (a double click, a retry after a lost answer) gets the first answer; the report is
/// submitted once (one history line, one ReportSubmitted) and its transmission recorded once.</summary>
public sealed class ReportReplayTests(ReportingServiceFixture f) : IClassFixture<ReportingServiceFixture>
{
    private V1.Reports.ReportsClient Reports => new(f.Host.Channel);

    private CallOptions Chair => f.Host.As("coord-chair", [Role.Coordinator], org: f.Chair, name: "Dana Chair");
    private CallOptions Secretariat => f.Host.As("sec-ana", [Role.Secretariat], name: "Ana Secretariat");

    [Fact]
    public async Task Submitting_a_report_twice_with_one_request_id_answers_the_first_submission_and_submits_once()
    {
        var draft = await Draft();
        var submit = new V1.SubmitToSecretaryGeneralRequest { ReportId = draft.Id, RequestId = "submit-once" };

        var both = await Task.WhenAll(Reports.SubmitToSecretaryGeneralAsync(submit, Chair).ResponseAsync, Reports.SubmitToSecretaryGeneralAsync(submit, Chair).ResponseAsync);
        var retry = await Reports.SubmitToSecretaryGeneralAsync(submit, Chair);

        Assert.Equal(V1.ReportState.Submitted, both[0].State);
        Assert.All(new[] { both[1], retry }, answer => Assert.Equal(both[0].ToByteString(), answer.ToByteString()));
        // Without the key, a second submission is what it always was: refused, the report is no draft.
        var again = await Assert.ThrowsAsync<RpcException>(() => Reports.SubmitToSecretaryGeneralAsync(new V1.SubmitToSecretaryGeneralRequest { ReportId = draft.Id }, Chair).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
        Assert.Equal(["ReportCompiled", "ReportSubmitted"], (await History(draft.Id)).Select(h => h.Action).ToList());
        await using var db = f.Host.OpenDatabase();
        Assert.Equal(1, await db.Set<OutboxMessage>().CountAsync(m => m.MessageType.Contains("ReportSubmitted") && m.Payload.Contains(draft.Id)));
    }

    [Fact]
    public async Task Recording_a_transmission_twice_with_one_request_id_answers_the_first_even_with_another_reference()
    {
        var draft = await Draft();
        await Reports.SubmitToSecretaryGeneralAsync(new V1.SubmitToSecretaryGeneralRequest { ReportId = draft.Id }, Chair);
        var record = new V1.RecordTransmissionToGeneralAssemblyRequest { ReportId = draft.Id, Reference = "A/81/90", RequestId = "transmit-once" };

        var both = await Task.WhenAll(Reports.RecordTransmissionToGeneralAssemblyAsync(record, Secretariat).ResponseAsync,
            Reports.RecordTransmissionToGeneralAssemblyAsync(record, Secretariat).ResponseAsync);
        // The key names one request of this caller on this method, as for every write of the platform: reused
        // with another reference, it still answers the first call, and the reference stays.
        var reused = await Reports.RecordTransmissionToGeneralAssemblyAsync(
            new V1.RecordTransmissionToGeneralAssemblyRequest { ReportId = draft.Id, Reference = "A/81/91", RequestId = "transmit-once" }, Secretariat);

        Assert.Equal(V1.ReportState.Transmitted, both[0].State);
        Assert.All(new[] { both[1], reused }, answer => Assert.Equal(both[0].ToByteString(), answer.ToByteString()));
        var history = await History(draft.Id);
        Assert.Equal(["ReportCompiled", "ReportSubmitted", "ReportTransmitted"], history.Select(h => h.Action).ToList());
        Assert.Contains("A/81/90", history[2].Detail);
        Assert.DoesNotContain(history, h => h.Detail.Contains("A/81/91", StringComparison.Ordinal));
    }

    private async Task<V1.Report> Draft() => await Reports.CompileReportAsync(new V1.CompileReportRequest
    {
        PeriodStart = $"{ReportingServiceFixture.OpenYear}-01-01",
        PeriodEnd = $"{ReportingServiceFixture.OpenYear}-12-31",
    }, Chair);

    private async Task<List<V1.HistoryEntry>> History(string reportId) =>
        [.. (await Reports.ListReportHistoryAsync(new V1.ListReportHistoryRequest { ReportId = reportId }, Secretariat)).Entries];
}
