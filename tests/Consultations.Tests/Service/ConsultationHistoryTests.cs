using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Platform.Domain;
using Wsis.Consultations.V1;
using Xunit;

namespace Wsis.Consultations.Tests.Service;

/// <summary>The history of a consultation the secretariat reads: who opened it, assigned an e-mail to it,
/// recorded its examination and published its results, and when; its close at the deadline.</summary>
public sealed class ConsultationHistoryTests
{
    [Fact]
    public async Task A_consultations_history_has_each_step_in_order_with_who_took_it_and_no_respondents_data()
    {
        await using var host = await ConsultationsHost.StartAsync(ConsultationsServiceTests.January10);
        var bruno = host.As("ms-bruno", Role.MemberState, country: "CH", name: "Bruno Focal Point");
        var ana = host.As("sec-ana", Role.Secretariat, name: "Ana Secretariat");
        var meeting = await host.Secretariat.ScheduleGroupMeetingAsync(new ScheduleGroupMeetingRequest { StartsOn = "2027-03-31", Venue = "Geneva" });
        var consultation = await bruno.OpenConsultationAsync(new OpenConsultationRequest { MeetingId = meeting.Id, Title = "Connectivity", IssueText = "Issue." });

        // A response is the published record, not a line of the history.
        await host.Anonymous.SubmitResponseAsync(ConsultationsServiceTests.Submission(consultation.Id, "Our view."));
        var stray = Encoding.UTF8.GetBytes("From: Hidden Sender <hidden.sender@example.org>\r\nTo: secretariat@itu.int\r\nSubject: which consultation?\r\n\r\nNo tag.\r\n");
        var unassigned = await host.Secretariat.IngestEmailAsync(new IngestEmailRequest { RawMessage = ByteString.CopyFrom(stray), Channel = Channel.Email, EnvelopeRecipient = "secretariat@itu.int" });
        host.Clock.Now = ConsultationsServiceTests.January10.AddDays(1);
        await ana.AssignResponseAsync(new AssignResponseRequest { ResponseId = unassigned.Receipt.ResponseId, ConsultationId = consultation.Id });
        host.Clock.Now = ConsultationsServiceTests.Deadline;
        await host.CloseDueAsync();
        host.Clock.Now = ConsultationsServiceTests.Deadline.AddDays(31);
        await ana.RecordExaminationAsync(new RecordExaminationRequest { ConsultationId = consultation.Id, MeetingId = meeting.Id });
        // A refused step leaves no line.
        await Assert.ThrowsAsync<RpcException>(async () => await ana.PublishResultsAsync(new PublishResultsRequest { ConsultationId = consultation.Id, Summary = "" }));
        host.Clock.Now = ConsultationsServiceTests.Deadline.AddDays(40);
        await ana.PublishResultsAsync(new PublishResultsRequest { ConsultationId = consultation.Id, Summary = "Two responses." });

        var history = (await ana.ListConsultationHistoryAsync(new ListConsultationHistoryRequest { ConsultationId = consultation.Id })).Entries;

        Assert.Equal(
            [
                ("ConsultationOpened", "ms-bruno", "Bruno Focal Point", ConsultationsServiceTests.January10),
                ("EmailAssigned", "sec-ana", "Ana Secretariat", ConsultationsServiceTests.January10.AddDays(1)),
                ("ConsultationClosed", "deadline", "the response deadline", ConsultationsServiceTests.Deadline),
                ("ExaminationRecorded", "sec-ana", "Ana Secretariat", ConsultationsServiceTests.Deadline.AddDays(31)),
                ("ResultsPublished", "sec-ana", "Ana Secretariat", ConsultationsServiceTests.Deadline.AddDays(40)),
            ],
            history.Select(h => (h.Action, h.ActorSubject, h.ActorName, h.At.ToDateTimeOffset())).ToList());
        Assert.Contains("Member State CH", history[0].Detail);
        Assert.Contains(unassigned.Receipt.TrackingNumber, history[1].Detail);
        Assert.Contains("2 published responses", history[2].Detail);
        // Neither the respondents' names and addresses nor the sender's.
        Assert.DoesNotContain(history, h => h.Detail.Contains('@') || h.Detail.Contains("Hidden Sender") || h.Detail.Contains("Amina"));
    }

    [Fact]
    public async Task Only_the_secretariat_reads_a_consultations_history_a_page_at_a_time()
    {
        await using var host = await ConsultationsHost.StartAsync(ConsultationsServiceTests.January10);
        var consultation = await ConsultationsServiceTests.OpenAsync(host);
        host.Clock.Now = ConsultationsServiceTests.Deadline;
        await host.CloseDueAsync();
        await host.Secretariat.RecordExaminationAsync(new RecordExaminationRequest { ConsultationId = consultation.Id, MeetingId = consultation.MeetingId });
        var request = new ListConsultationHistoryRequest { ConsultationId = consultation.Id, PageSize = 2 };

        var denied = await Assert.ThrowsAsync<RpcException>(async () => await host.MemberState("CH").ListConsultationHistoryAsync(request));
        Assert.Equal((StatusCode.PermissionDenied, "consultations.v1.Consultations/ListConsultationHistory may be called only by the secretariat (role secretariat)"), (denied.StatusCode, denied.Status.Detail));
        Assert.Equal(StatusCode.Unauthenticated, (await Assert.ThrowsAsync<RpcException>(async () => await host.Anonymous.ListConsultationHistoryAsync(request))).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(async () =>
            await host.Secretariat.ListConsultationHistoryAsync(new ListConsultationHistoryRequest { ConsultationId = Guid.NewGuid().ToString() }))).StatusCode);

        var first = await host.Secretariat.ListConsultationHistoryAsync(request);
        Assert.Equal(["ConsultationOpened", "ConsultationClosed"], first.Entries.Select(e => e.Action));
        var second = await host.Secretariat.ListConsultationHistoryAsync(new ListConsultationHistoryRequest { ConsultationId = consultation.Id, PageSize = 2, PageToken = first.NextPageToken });
        Assert.Equal(["ExaminationRecorded"], second.Entries.Select(e => e.Action));
        Assert.Equal("", second.NextPageToken);
    }
}
