using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Messaging;
using Wsis.Consultations.Data;
using Wsis.Consultations.Model;
using Wsis.Consultations.V1;
using Xunit;

namespace Wsis.Consultations.Tests.Service;

public class EventsAndProvidersTests
{
    [Fact]
    public async Task Each_state_change_writes_its_integration_event_to_the_outbox_without_personal_data()
    {
        await using var host = await ConsultationsHost.StartAsync(ConsultationsServiceTests.January10);
        var consultation = await ConsultationsServiceTests.OpenAsync(host);
        var receipt = await host.Anonymous.SubmitResponseAsync(ConsultationsServiceTests.Submission(consultation.Id, "Evented."));
        host.Clock.Now = ConsultationsServiceTests.Deadline;
        await host.CloseDueAsync();
        await host.Secretariat.RecordExaminationAsync(new RecordExaminationRequest { ConsultationId = consultation.Id, MeetingId = consultation.MeetingId });
        await host.Secretariat.PublishResultsAsync(new PublishResultsRequest { ConsultationId = consultation.Id, Summary = "One response." });

        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsultationsDbContext>();
        var events = await db.Set<OutboxMessage>().OrderBy(m => m.Sequence).ToListAsync();

        Assert.Equal(
            ["ConsultationOpened", "ResponsePublished", "ConsultationClosed", "ConsultationResultsPublished"],
            events.Select(e => e.MessageType.Split(',')[0].Split('.')[^1]));
        // The consultation's own events keep their order under its key; responses' events are unordered.
        Assert.All(events.Where((_, i) => i != 1), e => Assert.Equal("consultation:" + consultation.Id, e.AggregateKey));
        Assert.Null(events[1].AggregateKey);
        Assert.Contains(receipt.Sha256, events[1].Payload);
        Assert.Contains("CIVIL_SOCIETY", events[1].Payload);
        Assert.DoesNotContain("amina@example.sn", string.Concat(events.Select(e => e.Payload)));
        Assert.DoesNotContain("Amina", string.Concat(events.Select(e => e.Payload)));
        Assert.Contains(Convert.ToHexStringLower(Wsis.Contracts.Verification.MerkleLog.LeafHash(Convert.FromHexString(receipt.PublishedSha256))), events[2].Payload);
    }

    [Fact]
    public async Task The_embedded_default_SQLite_runs_the_same_intake_close_and_e_mail_paths()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("consultations-sqlite-").FullName, "consultations.db");
        await using var host = await ConsultationsHost.StartAsync(ConsultationsServiceTests.January10, $"Data Source={file}",
            new Dictionary<string, string?> { ["Database:Provider"] = "Sqlite" });
        var consultation = await ConsultationsServiceTests.OpenAsync(host);
        var receipts = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            host.Anonymous.SubmitResponseAsync(ConsultationsServiceTests.Submission(consultation.Id, $"SQLite response {i}.")).ResponseAsync));
        var raw = MailMessageReaderTests.Corpus("windows-1252-qp.eml");
        var mail = await host.Secretariat.IngestEmailAsync(new IngestEmailRequest { RawMessage = ByteString.CopyFrom(raw), Channel = Channel.Email, EnvelopeRecipient = consultation.EmailAddress });

        host.Clock.Now = ConsultationsServiceTests.Deadline;
        Assert.Equal(1, await host.CloseDueAsync());

        var closed = await host.Anonymous.GetConsultationAsync(new GetConsultationRequest { Id = consultation.Id });
        var listed = await host.Anonymous.ListResponsesAsync(new ListResponsesRequest { ConsultationId = consultation.Id });
        Assert.Equal(21, closed.PublishedResponseCount);
        Assert.Equal(receipts.Select(r => r.ResponseId).Append(mail.Receipt.ResponseId).Order(), listed.Responses.Select(r => r.Id).Order());
        Assert.Equal(LogRecipe.Digest(listed.Responses), closed.ResponsesDigest);
        Assert.Equal(raw, (await host.Secretariat.GetResponseAsync(new GetResponseRequest { Id = mail.Receipt.ResponseId })).RawMessage.ToByteArray());
    }
}
