using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain;
using Platform.Messaging;
using Wsis.Consultations.Data;
using Wsis.Consultations.V1;
using Xunit;

namespace Wsis.Consultations.Tests.Service;

/// <summary>AssignResponse, RecordExamination and PublishResults take a request_id like the service's other
/// writes: a replay (a double click, a retry after a lost answer) gets the first outcome and acts once: an
/// e-mail assigned once (one leaf in the log, one line of history, one ResponsePublished), an examination
/// recorded once, results published once (one ConsultationResultsPublished).</summary>
public sealed class RequestIdReplayTests
{
    [Fact]
    public async Task Assigning_an_e_mail_twice_with_one_request_id_answers_the_first_assignment_and_publishes_it_once()
    {
        await using var host = await ConsultationsHost.StartAsync(ConsultationsServiceTests.January10);
        var ana = host.As("sec-ana", Role.Secretariat, name: "Ana Secretariat");
        var consultation = await ConsultationsServiceTests.OpenAsync(host);
        var unassigned = await Stray(host, "which consultation?");
        host.Clock.Now = ConsultationsServiceTests.January10.AddDays(1);
        var assign = new AssignResponseRequest { ResponseId = unassigned.Receipt.ResponseId, ConsultationId = consultation.Id, RequestId = "assign-once" };

        // A double click: both posts at once, then a retry after the answer was lost.
        var both = await Task.WhenAll(ana.AssignResponseAsync(assign).ResponseAsync, ana.AssignResponseAsync(assign).ResponseAsync);
        var retry = await ana.AssignResponseAsync(assign);

        Assert.Equal(IngestOutcome.Published, both[0].Outcome);
        Assert.Equal(0, both[0].Receipt.Inclusion.LeafIndex);
        Assert.Equal(both[0].ToByteString(), both[1].ToByteString());
        Assert.Equal(both[0].ToByteString(), retry.ToByteString());
        Assert.Single((await host.Anonymous.ListResponsesAsync(new ListResponsesRequest { ConsultationId = consultation.Id })).Responses);
        var history = (await ana.ListConsultationHistoryAsync(new ListConsultationHistoryRequest { ConsultationId = consultation.Id })).Entries;
        Assert.Equal(["ConsultationOpened", "EmailAssigned"], history.Select(h => h.Action).ToList());
        Assert.Equal(1, await PublishedEvents(host));
        // Without the key, a second assignment is what it always was: refused, the e-mail has its consultation.
        var again = await Assert.ThrowsAsync<RpcException>(async () => await ana.AssignResponseAsync(
            new AssignResponseRequest { ResponseId = unassigned.Receipt.ResponseId, ConsultationId = consultation.Id }));
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
        Assert.Contains("already assigned", again.Status.Detail);
    }

    [Fact]
    public async Task A_request_id_used_again_for_another_e_mail_answers_the_first_assignment_and_leaves_the_other_unassigned()
    {
        await using var host = await ConsultationsHost.StartAsync(ConsultationsServiceTests.January10);
        var consultation = await ConsultationsServiceTests.OpenAsync(host);
        var first = await Stray(host, "first stray");
        var second = await Stray(host, "second stray");

        var assigned = await host.Secretariat.AssignResponseAsync(new AssignResponseRequest { ResponseId = first.Receipt.ResponseId, ConsultationId = consultation.Id, RequestId = "assign-reused" });
        // The key names one request of this caller on this method, as for every write of the platform.
        var reused = await host.Secretariat.AssignResponseAsync(new AssignResponseRequest { ResponseId = second.Receipt.ResponseId, ConsultationId = consultation.Id, RequestId = "assign-reused" });

        Assert.Equal(assigned.ToByteString(), reused.ToByteString());
        Assert.Equal(first.Receipt.ResponseId, reused.Receipt.ResponseId);
        var waiting = Assert.Single((await host.Secretariat.ListUnassignedResponsesAsync(new ListUnassignedResponsesRequest())).Responses);
        Assert.Equal(second.Receipt.ResponseId, waiting.Id);
        // Another caller's same key is another request: it assigns the second e-mail.
        var other = await host.As("sec-bo", Role.Secretariat).AssignResponseAsync(new AssignResponseRequest { ResponseId = second.Receipt.ResponseId, ConsultationId = consultation.Id, RequestId = "assign-reused" });
        Assert.Equal(second.Receipt.ResponseId, other.Receipt.ResponseId);
        Assert.Equal(2, await PublishedEvents(host));
        var tooLong = await Assert.ThrowsAsync<RpcException>(async () => await host.Secretariat.AssignResponseAsync(
            new AssignResponseRequest { ResponseId = second.Receipt.ResponseId, ConsultationId = consultation.Id, RequestId = new string('k', 129) }));
        Assert.Equal((StatusCode.InvalidArgument, "request_id must be at most 128 characters"), (tooLong.StatusCode, tooLong.Status.Detail));
    }

    [Fact]
    public async Task Recording_an_examination_and_publishing_results_twice_with_one_request_id_answer_the_first_and_act_once()
    {
        await using var host = await ConsultationsHost.StartAsync(ConsultationsServiceTests.January10);
        var ana = host.As("sec-ana", Role.Secretariat, name: "Ana Secretariat");
        var consultation = await ConsultationsServiceTests.OpenAsync(host);
        await host.Anonymous.SubmitResponseAsync(ConsultationsServiceTests.Submission(consultation.Id, "Our view."));
        host.Clock.Now = ConsultationsServiceTests.Deadline;
        await host.CloseDueAsync();
        host.Clock.Now = ConsultationsServiceTests.Deadline.AddDays(31);

        var examine = new RecordExaminationRequest { ConsultationId = consultation.Id, MeetingId = consultation.MeetingId, RequestId = "examine-once" };
        var examined = await Task.WhenAll(ana.RecordExaminationAsync(examine).ResponseAsync, ana.RecordExaminationAsync(examine).ResponseAsync);
        var examinedAgain = await ana.RecordExaminationAsync(examine);
        var publish = new PublishResultsRequest { ConsultationId = consultation.Id, Summary = "One response, examined.", RequestId = "publish-once" };
        var published = await Task.WhenAll(ana.PublishResultsAsync(publish).ResponseAsync, ana.PublishResultsAsync(publish).ResponseAsync);
        // Reused with another summary, the key still answers the first call: the summary stays.
        var reused = await ana.PublishResultsAsync(new PublishResultsRequest { ConsultationId = consultation.Id, Summary = "Another summary.", RequestId = "publish-once" });

        Assert.Equal(ConsultationState.Examined, examined[0].State);
        Assert.All(new[] { examined[1], examinedAgain }, answer => Assert.Equal(examined[0].ToByteString(), answer.ToByteString()));
        Assert.Equal(ConsultationState.ResultsPublished, published[0].State);
        Assert.All(new[] { published[1], reused }, answer => Assert.Equal(published[0].ToByteString(), answer.ToByteString()));
        Assert.Equal("One response, examined.", (await host.Anonymous.GetConsultationAsync(new GetConsultationRequest { Id = consultation.Id })).ResultsSummary);
        var history = (await ana.ListConsultationHistoryAsync(new ListConsultationHistoryRequest { ConsultationId = consultation.Id })).Entries;
        Assert.Equal(["ConsultationOpened", "ConsultationClosed", "ExaminationRecorded", "ResultsPublished"], history.Select(h => h.Action).ToList());
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsultationsDbContext>();
        Assert.Equal(1, await db.Set<OutboxMessage>().CountAsync(m => m.MessageType.Contains("ConsultationResultsPublished")));
    }

    private static async Task<IngestEmailResponse> Stray(ConsultationsHost host, string subject)
    {
        var raw = Encoding.UTF8.GetBytes($"From: Bo Chen <bo@example.org>\r\nTo: secretariat@itu.int\r\nSubject: {subject}\r\n\r\nNo tag.\r\n");
        var kept = await host.Secretariat.IngestEmailAsync(new IngestEmailRequest { RawMessage = ByteString.CopyFrom(raw), Channel = Channel.Email, EnvelopeRecipient = "secretariat@itu.int" });
        Assert.Equal(IngestOutcome.Unassigned, kept.Outcome);
        return kept;
    }

    private static async Task<int> PublishedEvents(ConsultationsHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsultationsDbContext>();
        return await db.Set<OutboxMessage>().CountAsync(m => m.MessageType.Contains("ResponsePublished"));
    }
}
