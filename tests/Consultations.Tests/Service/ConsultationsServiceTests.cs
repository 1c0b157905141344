using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Wsis.Consultations.V1;
using Xunit;
using Xunit.Abstractions;
using ResponseHashes = Wsis.Consultations.Model.ResponseHashes;
using TrackingNumber = Wsis.Consultations.Model.TrackingNumber;

namespace Wsis.Consultations.Tests.Service;

/// <summary>The service through its real gRPC API, on PostgreSQL.</summary>
public class ConsultationsServiceTests(ITestOutputHelper output)
{
    internal static readonly DateTimeOffset January10 = new(2027, 1, 10, 12, 0, 0, TimeSpan.Zero);

    /// <summary>28 February 2027 24:00 in Geneva (CET): the deadline of a meeting on 31 March 2027.</summary>
    internal static readonly DateTimeOffset Deadline = new(2027, 2, 28, 23, 0, 0, TimeSpan.Zero);

    internal static async Task<V1.Consultation> OpenAsync(ConsultationsHost host, string startsOn = "2027-03-31")
    {
        var meeting = await host.Secretariat.ScheduleGroupMeetingAsync(new ScheduleGroupMeetingRequest { StartsOn = startsOn, Venue = "Geneva, ITU headquarters" });
        return await host.MemberState("CH").OpenConsultationAsync(new OpenConsultationRequest
        {
            MeetingId = meeting.Id,
            Title = "International Internet connectivity",
            IssueText = "Public policy considerations for international Internet connectivity.",
            Questions = { "What are the barriers?", "What should governments do?" },
        });
    }

    internal static SubmitResponseRequest Submission(string consultationId, string text, params AttachmentUpload[] attachments)
    {
        var request = new SubmitResponseRequest
        {
            ConsultationId = consultationId,
            Respondent = new Respondent { Name = "Amina Diallo", Organisation = "Réseau Sénégal", Category = RespondentCategory.CivilSociety, CountryCode = "SN", Email = "amina@example.sn" },
            Text = text,
        };
        request.Attachments.AddRange(attachments);
        return request;
    }

    private static async Task<RpcException> Fails(StatusCode code, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(code, e.StatusCode);
        return e;
    }

    [Fact]
    public async Task Only_member_states_and_the_secretariat_open_consultations_and_the_deadline_is_computed()
    {
        await using var host = await ConsultationsHost.StartAsync(January10);
        var meeting = await host.Secretariat.ScheduleGroupMeetingAsync(new ScheduleGroupMeetingRequest { StartsOn = "2027-03-31", Venue = "Geneva" });
        var request = new OpenConsultationRequest { MeetingId = meeting.Id, Title = "T", IssueText = "I" };

        var denied = await Fails(StatusCode.PermissionDenied, async () => await host.As("org-1", "stakeholder", org: "org-1").OpenConsultationAsync(request));
        Assert.Contains("Member State", denied.Status.Detail);
        await Fails(StatusCode.PermissionDenied, async () => await host.As("c-1", "coordinator", org: "org-1").OpenConsultationAsync(request));
        await Fails(StatusCode.Unauthenticated, async () => await host.Anonymous.OpenConsultationAsync(request));
        await Fails(StatusCode.PermissionDenied, async () => await host.MemberState().ScheduleGroupMeetingAsync(new ScheduleGroupMeetingRequest { StartsOn = "2027-05-01", Venue = "x" }));

        var opened = await host.MemberState("BR").OpenConsultationAsync(request);
        var bySecretariat = await host.Secretariat.OpenConsultationAsync(request);

        Assert.Equal(ConsultationState.Open, opened.State);
        Assert.Equal(Deadline, opened.Deadline.Instant.ToDateTimeOffset());
        Assert.Equal("2027-03-01T00:00:00+01:00", opened.Deadline.GenevaTime);
        Assert.Equal("Europe/Zurich", opened.Deadline.TimeZone);
        Assert.Equal("BR", opened.OpenedByCountryCode);
        Assert.Equal("", bySecretariat.OpenedByCountryCode);
        Assert.Matches(@"^\[CWG-[0-9A-Z]{6}\]$", opened.SubjectTag);
        Assert.EndsWith("@itu.int", opened.EmailAddress);
        var listed = await host.Anonymous.ListConsultationsAsync(new ListConsultationsRequest { State = ConsultationState.Open });
        Assert.Equal(2, listed.Consultations.Count);
        Assert.Equal(opened, await host.Anonymous.GetConsultationAsync(new GetConsultationRequest { Id = opened.Id }));
    }

    [Fact]
    public async Task A_web_response_is_published_byte_for_byte_with_its_receipt_and_without_the_email_address()
    {
        await using var host = await ConsultationsHost.StartAsync(January10);
        var consultation = await OpenAsync(host);
        var pdf = new byte[300_000];
        RandomNumberGenerator.Fill(pdf);
        "%PDF-1.7"u8.CopyTo(pdf);
        const string text = "Réponse: l’accès abordable d’abord.\r\nLine two\twith tab — and emoji 🌍 and trailing spaces   ";
        var request = Submission(consultation.Id, text, new AttachmentUpload { FileName = "Réponse.pdf", MediaType = "application/pdf", Content = ByteString.CopyFrom(pdf) });

        var receipt = await host.Anonymous.SubmitResponseAsync(request);

        Assert.Matches("^CWG-27-", receipt.TrackingNumber);
        Assert.True(TrackingNumber.TryParse(receipt.TrackingNumber, out _));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(request.ToByteArray())), receipt.Sha256);
        Assert.Equal(January10, receipt.ReceivedAt.ToDateTimeOffset());

        var published = await host.Anonymous.GetResponseAsync(new GetResponseRequest { Id = receipt.ResponseId });
        Assert.Equal(text, published.Text);
        Assert.Equal(receipt.Sha256, published.Sha256);
        Assert.Equal(receipt.TrackingNumber, published.TrackingNumber);
        Assert.Equal("Amina Diallo", published.Respondent.Name);
        Assert.Equal("", published.Respondent.Email);
        Assert.True(published.RawMessage.IsEmpty);
        Assert.True(published.Published);
        var info = Assert.Single(published.Attachments);
        Assert.Equal(("Réponse.pdf", "application/pdf", 300_000L, Convert.ToHexStringLower(SHA256.HashData(pdf))), (info.FileName, info.MediaType, info.Size, info.Sha256));

        var attachment = await host.Anonymous.GetAttachmentAsync(new GetAttachmentRequest { ResponseId = receipt.ResponseId, Index = 0 });
        Assert.Equal(pdf, attachment.Content.ToByteArray());

        var listed = await host.Anonymous.ListResponsesAsync(new ListResponsesRequest { ConsultationId = consultation.Id });
        Assert.Equal(published, Assert.Single(listed.Responses));
        Assert.DoesNotContain("amina@example.sn", listed.ToString());

        var forSecretariat = await host.Secretariat.GetResponseAsync(new GetResponseRequest { Id = receipt.ResponseId });
        Assert.Equal("amina@example.sn", forSecretariat.Respondent.Email);
        Assert.Equal(1, (await host.Anonymous.GetConsultationAsync(new GetConsultationRequest { Id = consultation.Id })).PublishedResponseCount);
    }

    [Fact]
    public async Task A_repeated_request_id_returns_the_first_receipt_and_stores_once()
    {
        await using var host = await ConsultationsHost.StartAsync(January10);
        var consultation = await OpenAsync(host);
        var request = Submission(consultation.Id, "Once only.");
        request.RequestId = "form-7f3a";

        var first = await host.Anonymous.SubmitResponseAsync(request);
        host.Clock.Now = January10.AddMinutes(1);
        var again = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => host.Anonymous.SubmitResponseAsync(request).ResponseAsync));

        Assert.All(again, r => Assert.Equal(first, r));
        Assert.Single((await host.Anonymous.ListResponsesAsync(new ListResponsesRequest { ConsultationId = consultation.Id })).Responses);
    }

    [Fact]
    public async Task Over_a_limit_is_refused_naming_the_limit_and_nothing_is_stored()
    {
        await using var host = await ConsultationsHost.StartAsync(January10, settings: new Dictionary<string, string?>
        {
            ["Consultations:Limits:MaxAttachments"] = "1",
            ["Consultations:Limits:MaxAttachmentBytes"] = "1000",
            ["Consultations:Limits:MaxTextCharacters"] = "100",
        });
        var consultation = await OpenAsync(host);
        AttachmentUpload Pdf(int size, string name = "a.pdf") => new() { FileName = name, MediaType = "application/pdf", Content = ByteString.CopyFrom(new byte[size]) };

        var tooMany = await Fails(StatusCode.InvalidArgument, async () => await host.Anonymous.SubmitResponseAsync(Submission(consultation.Id, "x", Pdf(10), Pdf(10, "b.pdf"))));
        Assert.Contains("Consultations:Limits:MaxAttachments", tooMany.Status.Detail);
        var tooBig = await Fails(StatusCode.InvalidArgument, async () => await host.Anonymous.SubmitResponseAsync(Submission(consultation.Id, "x", Pdf(1001))));
        Assert.Contains("Consultations:Limits:MaxAttachmentBytes", tooBig.Status.Detail);
        var tooLong = await Fails(StatusCode.InvalidArgument, async () => await host.Anonymous.SubmitResponseAsync(Submission(consultation.Id, new string('x', 101))));
        Assert.Contains("Consultations:Limits:MaxTextCharacters", tooLong.Status.Detail);
        var type = await Fails(StatusCode.InvalidArgument, async () => await host.Anonymous.SubmitResponseAsync(Submission(consultation.Id, "x",
            new AttachmentUpload { FileName = "run.exe", MediaType = "application/x-msdownload", Content = ByteString.CopyFrom(1, 2) })));
        Assert.Contains("Consultations:Limits:AllowedMediaTypes", type.Status.Detail);

        var all = await host.Secretariat.ListResponsesAsync(new ListResponsesRequest { ConsultationId = consultation.Id });
        Assert.Empty(all.Responses);
    }

    [Fact]
    public async Task Bad_input_of_every_kind_gets_a_status_naming_the_field()
    {
        await using var host = await ConsultationsHost.StartAsync(January10);
        var consultation = await OpenAsync(host);
        var client = host.Anonymous;

        Assert.Contains("consultation_id", (await Fails(StatusCode.InvalidArgument, async () => await client.SubmitResponseAsync(Submission("not-an-id", "x")))).Status.Detail);
        await Fails(StatusCode.NotFound, async () => await client.SubmitResponseAsync(Submission(Guid.NewGuid().ToString(), "x")));
        Assert.Contains("respondent", (await Fails(StatusCode.InvalidArgument, async () => await client.SubmitResponseAsync(new SubmitResponseRequest { ConsultationId = consultation.Id, Text = "x" }))).Status.Detail);
        var noCategory = Submission(consultation.Id, "x");
        noCategory.Respondent.Category = RespondentCategory.Unspecified;
        Assert.Contains("respondent.category", (await Fails(StatusCode.InvalidArgument, async () => await client.SubmitResponseAsync(noCategory))).Status.Detail);
        var badCountry = Submission(consultation.Id, "x");
        badCountry.Respondent.CountryCode = "CHE";
        Assert.Contains("respondent.country_code", (await Fails(StatusCode.InvalidArgument, async () => await client.SubmitResponseAsync(badCountry))).Status.Detail);
        var badEmail = Submission(consultation.Id, "x");
        badEmail.Respondent.Email = "not an address";
        var emailError = await Fails(StatusCode.InvalidArgument, async () => await client.SubmitResponseAsync(badEmail));
        Assert.DoesNotContain("not an address", emailError.Status.Detail);
        Assert.Contains("text", (await Fails(StatusCode.InvalidArgument, async () => await client.SubmitResponseAsync(Submission(consultation.Id, "")))).Status.Detail);
        Assert.Contains("starts_on", (await Fails(StatusCode.InvalidArgument, async () => await host.Secretariat.ScheduleGroupMeetingAsync(new ScheduleGroupMeetingRequest { StartsOn = "31/03/2027", Venue = "x" }))).Status.Detail);
        Assert.Contains("title", (await Fails(StatusCode.InvalidArgument, async () => await host.Secretariat.OpenConsultationAsync(new OpenConsultationRequest { MeetingId = consultation.MeetingId, IssueText = "i" }))).Status.Detail);
        await Fails(StatusCode.NotFound, async () => await host.Secretariat.OpenConsultationAsync(new OpenConsultationRequest { MeetingId = Guid.NewGuid().ToString(), Title = "t", IssueText = "i" }));
        Assert.Contains("channel", (await Fails(StatusCode.InvalidArgument, async () => await host.Secretariat.IngestEmailAsync(new IngestEmailRequest { RawMessage = ByteString.CopyFromUtf8("Subject: x\r\n\r\nbody") }))).Status.Detail);
        await Fails(StatusCode.PermissionDenied, async () => await host.MemberState().IngestEmailAsync(new IngestEmailRequest { RawMessage = ByteString.CopyFromUtf8("x"), Channel = Channel.Email }));
        await Fails(StatusCode.Unauthenticated, async () => await client.ListUnassignedResponsesAsync(new ListUnassignedResponsesRequest()));
        Assert.Contains("page_token", (await Fails(StatusCode.InvalidArgument, async () => await client.ListConsultationsAsync(new ListConsultationsRequest { PageToken = "garbage!" }))).Status.Detail);
        await Fails(StatusCode.NotFound, async () => await client.GetAttachmentAsync(new GetAttachmentRequest { ResponseId = Guid.NewGuid().ToString() }));
        await Fails(StatusCode.InvalidArgument, async () => await client.GetResponseAsync(new GetResponseRequest()));

        // A meeting whose deadline already passed cannot get a consultation.
        var early = await host.Secretariat.ScheduleGroupMeetingAsync(new ScheduleGroupMeetingRequest { StartsOn = "2027-02-01", Venue = "Geneva" });
        var passed = await Fails(StatusCode.FailedPrecondition, async () => await host.Secretariat.OpenConsultationAsync(new OpenConsultationRequest { MeetingId = early.Id, Title = "t", IssueText = "i" }));
        Assert.Contains("end of 1 January 2027", passed.Status.Detail);
    }

    [Fact]
    public async Task After_the_deadline_web_submissions_are_refused_naming_it_and_late_email_is_kept_unpublished()
    {
        await using var host = await ConsultationsHost.StartAsync(January10);
        var consultation = await OpenAsync(host);
        var onTime = await host.Anonymous.SubmitResponseAsync(Submission(consultation.Id, "On time."));

        host.Clock.Now = Deadline.AddTicks(-1);
        var lastTick = await host.Anonymous.SubmitResponseAsync(Submission(consultation.Id, "Just in time."));
        host.Clock.Now = Deadline;

        var refused = await Fails(StatusCode.FailedPrecondition, async () => await host.Anonymous.SubmitResponseAsync(Submission(consultation.Id, "Too late.")));
        Assert.Contains("end of 28 February 2027, Geneva time (2027-03-01T00:00:00+01:00)", refused.Status.Detail);

        var raw = Encoding.ASCII.GetBytes($"From: Late Sender <late@example.org>\r\nTo: {consultation.EmailAddress}\r\nSubject: late\r\n\r\nSorry, late.\r\n");
        var late = await host.Secretariat.IngestEmailAsync(new IngestEmailRequest { RawMessage = ByteString.CopyFrom(raw), Channel = Channel.Email, EnvelopeRecipient = consultation.EmailAddress });
        Assert.Equal(IngestOutcome.Late, late.Outcome);
        Assert.Equal(consultation.Id, late.ConsultationId);

        var published = await host.Anonymous.ListResponsesAsync(new ListResponsesRequest { ConsultationId = consultation.Id });
        Assert.Equal([onTime.ResponseId, lastTick.ResponseId], published.Responses.Select(r => r.Id));
        await Fails(StatusCode.NotFound, async () => await host.Anonymous.GetResponseAsync(new GetResponseRequest { Id = late.Receipt.ResponseId }));
        var kept = await host.Secretariat.GetResponseAsync(new GetResponseRequest { Id = late.Receipt.ResponseId });
        Assert.True(kept.Late);
        Assert.False(kept.Published);
        Assert.Equal(raw, kept.RawMessage.ToByteArray());
    }

    [Fact]
    public async Task E_mail_is_routed_by_address_or_subject_tag_stored_byte_for_byte_and_unknown_ones_are_kept_unassigned()
    {
        await using var host = await ConsultationsHost.StartAsync(January10);
        var consultation = await OpenAsync(host);
        var outlook = MailMessageReaderTests.Corpus("outlook-related-iso-8859-1.eml");

        var byAddress = await host.Secretariat.IngestEmailAsync(new IngestEmailRequest { RawMessage = ByteString.CopyFrom(outlook), Channel = Channel.Email, EnvelopeRecipient = consultation.EmailAddress });

        Assert.Equal(IngestOutcome.Published, byAddress.Outcome);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(outlook)), byAddress.Receipt.Sha256);
        var publicView = await host.Anonymous.GetResponseAsync(new GetResponseRequest { Id = byAddress.Receipt.ResponseId });
        Assert.Equal(Channel.Email, publicView.Channel);
        Assert.Equal("Müller Hans BAKOM", publicView.Respondent.Name);
        Assert.Equal("", publicView.Respondent.Email);
        Assert.True(publicView.RawMessage.IsEmpty); // it holds the sender's address: secretariat only
        Assert.Equal("Contribution de l’OFCOM à la consultation", publicView.Subject);
        Assert.Contains("Office fédéral de la communication", publicView.Text);
        Assert.Equal(["image001.png", "Contribution OFCOM fédérale.docx"], publicView.Attachments.Select(a => a.FileName));
        var secretariatView = await host.Secretariat.GetResponseAsync(new GetResponseRequest { Id = byAddress.Receipt.ResponseId });
        Assert.Equal(outlook, secretariatView.RawMessage.ToByteArray());
        Assert.Equal("hans.mueller@bakom.admin.ch", secretariatView.Respondent.Email);

        var tagged = Encoding.UTF8.GetBytes($"From: a@example.org\r\nTo: cwg-consult@lists.itu.int\r\nSubject: Re: {consultation.SubjectTag} our view\r\n\r\nTagged.\r\n");
        var bySubject = await host.Secretariat.IngestEmailAsync(new IngestEmailRequest { RawMessage = ByteString.CopyFrom(tagged), Channel = Channel.MailingList, EnvelopeRecipient = "cwg-consult@lists.itu.int" });
        Assert.Equal(IngestOutcome.Published, bySubject.Outcome);
        Assert.Equal(consultation.Id, bySubject.ConsultationId);

        var stray = Encoding.UTF8.GetBytes("From: b@example.org\r\nTo: secretariat@itu.int\r\nSubject: which consultation?\r\n\r\nNo tag.\r\n");
        var unassigned = await host.Secretariat.IngestEmailAsync(new IngestEmailRequest { RawMessage = ByteString.CopyFrom(stray), Channel = Channel.Email, EnvelopeRecipient = "secretariat@itu.int" });
        Assert.Equal(IngestOutcome.Unassigned, unassigned.Outcome);
        var kept = await host.Secretariat.ListUnassignedResponsesAsync(new ListUnassignedResponsesRequest());
        Assert.Equal(unassigned.Receipt.ResponseId, Assert.Single(kept.Responses).Id);
        await Fails(StatusCode.NotFound, async () => await host.Anonymous.GetResponseAsync(new GetResponseRequest { Id = unassigned.Receipt.ResponseId }));

        var broken = MailMessageReaderTests.Corpus("malformed-bad-encodings.eml");
        var malformed = await host.Secretariat.IngestEmailAsync(new IngestEmailRequest { RawMessage = ByteString.CopyFrom(broken), Channel = Channel.Email, EnvelopeRecipient = consultation.EmailAddress });
        Assert.Equal(IngestOutcome.Malformed, malformed.Outcome);
        Assert.NotEmpty(malformed.Problems);
        var flagged = await host.Anonymous.GetResponseAsync(new GetResponseRequest { Id = malformed.Receipt.ResponseId });
        Assert.True(flagged.Published);
        Assert.Equal(malformed.Problems, flagged.Problems);

        var digest = await host.Anonymous.ListResponsesAsync(new ListResponsesRequest { ConsultationId = consultation.Id });
        Assert.Equal(3, digest.Responses.Count);
    }

    [Fact]
    public async Task The_close_fixes_count_and_digest_and_the_cycle_ends_with_examination_and_published_results()
    {
        await using var host = await ConsultationsHost.StartAsync(January10);
        var consultation = await OpenAsync(host);
        const string letter = "We ask the group to protect an open, interoperable and affordable Internet for everyone, everywhere, and to publish this response.";
        for (var i = 0; i < 4; i++)
        {
            host.Clock.Now = January10.AddMinutes(i);
            await host.Anonymous.SubmitResponseAsync(Submission(consultation.Id, letter + $" Signed, supporter {i}."));
        }

        var own = Submission(consultation.Id, "An independent answer about exchange points and transit prices in West Africa.");
        own.Respondent.Category = RespondentCategory.Government;
        own.Respondent.CountryCode = "GH";
        await host.Anonymous.SubmitResponseAsync(own);
        await Fails(StatusCode.FailedPrecondition, async () => await host.Secretariat.RecordExaminationAsync(new RecordExaminationRequest { ConsultationId = consultation.Id, MeetingId = consultation.MeetingId }));

        host.Clock.Now = Deadline.AddSeconds(1);
        Assert.Equal(1, await host.CloseDueAsync());
        Assert.Equal(0, await host.CloseDueAsync());

        var closed = await host.Anonymous.GetConsultationAsync(new GetConsultationRequest { Id = consultation.Id });
        Assert.Equal(ConsultationState.Closed, closed.State);
        Assert.Equal(5, closed.PublishedResponseCount);
        var list = await host.Anonymous.ListResponsesAsync(new ListResponsesRequest { ConsultationId = consultation.Id });
        // Anyone can check completeness: the log's root over the listed published hashes, in leaf order.
        Assert.Equal(LogRecipe.Digest(list.Responses), closed.ResponsesDigest);

        var results = await host.Anonymous.GetConsultationResultsAsync(new GetConsultationResultsRequest { ConsultationId = consultation.Id });
        Assert.Equal(5, results.Total);
        Assert.Equal(5, results.Responses.Count);
        Assert.Equal([("CIVIL_SOCIETY", 4), ("GOVERNMENT", 1)], results.ByCategory.Select(c => (c.Key, c.Count)));
        Assert.Equal([("SN", 4), ("GH", 1)], results.ByCountry.Select(c => (c.Key, c.Count)));
        Assert.Equal([("WEB", 5)], results.ByChannel.Select(c => (c.Key, c.Count)));
        var campaign = Assert.Single(results.SimilarityGroups);
        Assert.Equal(4, campaign.Size);
        Assert.Equal(4, results.Responses.Count(r => r.SimilarityGroup == campaign.Id));
        Assert.All(results.Responses, r => Assert.Equal("", r.Respondent.Email));
        Assert.Equal(list.Responses.Select(r => r.Id), results.Responses.Select(r => r.Id));
        Assert.Equal("", results.NextPageToken);

        // In pages: every response once, in receipt order; counts on every page, the groups on the first.
        var pages = new List<ConsultationResults>();
        var token = "";
        do
        {
            var page = await host.Anonymous.GetConsultationResultsAsync(new GetConsultationResultsRequest { ConsultationId = consultation.Id, PageSize = 2, PageToken = token });
            pages.Add(page);
            token = page.NextPageToken;
        }
        while (token != "");
        Assert.Equal([2, 2, 1], pages.Select(p => p.Responses.Count));
        Assert.Equal(list.Responses.Select(r => r.Id), pages.SelectMany(p => p.Responses).Select(r => r.Id));
        Assert.Equal(results.Responses.Select(r => r.SimilarityGroup), pages.SelectMany(p => p.Responses).Select(r => r.SimilarityGroup));
        Assert.All(pages, p => Assert.Equal(5, p.Total));
        Assert.All(pages, p => Assert.Equal(results.ByCategory, p.ByCategory));
        Assert.Equal([1, 0, 0], pages.Select(p => p.SimilarityGroups.Count));
        await Fails(StatusCode.InvalidArgument, async () => await host.Anonymous.GetConsultationResultsAsync(new GetConsultationResultsRequest { ConsultationId = consultation.Id, PageToken = "not-a-token" }));

        var examined = await host.Secretariat.RecordExaminationAsync(new RecordExaminationRequest { ConsultationId = consultation.Id, MeetingId = consultation.MeetingId });
        Assert.Equal(ConsultationState.Examined, examined.State);
        await Fails(StatusCode.PermissionDenied, async () => await host.MemberState().PublishResultsAsync(new PublishResultsRequest { ConsultationId = consultation.Id, Summary = "s" }));
        var done = await host.Secretariat.PublishResultsAsync(new PublishResultsRequest { ConsultationId = consultation.Id, Summary = "Five responses; one campaign of four." });
        Assert.Equal(ConsultationState.ResultsPublished, done.State);
        Assert.Equal("Five responses; one campaign of four.", done.ResultsSummary);
        await Fails(StatusCode.FailedPrecondition, async () => await host.Secretariat.PublishResultsAsync(new PublishResultsRequest { ConsultationId = consultation.Id, Summary = "again" }));
    }

    [Fact]
    public async Task Submissions_racing_the_close_are_either_in_the_digest_or_refused()
    {
        await using var host = await ConsultationsHost.StartAsync(January10);
        var consultation = await OpenAsync(host);
        host.Clock.Now = Deadline.AddSeconds(-1);

        // Eight clients submit without pause until they are refused; the clock passes the deadline
        // and three closers run while submissions are in flight.
        var accepted = 0;
        var refused = 0;
        var workers = Enumerable.Range(0, 8).Select(async w =>
        {
            var mine = new List<Receipt>();
            for (var i = 0; ; i++)
            {
                try
                {
                    mine.Add(await host.Anonymous.SubmitResponseAsync(Submission(consultation.Id, $"Racing response {w}/{i}.")));
                    Interlocked.Increment(ref accepted);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
                {
                    Interlocked.Increment(ref refused);
                    return mine;
                }
            }
        }).ToList();
        while (Volatile.Read(ref accepted) < 40)
        {
            await Task.Delay(5);
        }

        host.Clock.Now = Deadline;
        var closes = Enumerable.Range(0, 3).Select(_ => Task.Run(host.CloseDueAsync)).ToList();

        var receipts = (await Task.WhenAll(workers)).SelectMany(r => r).ToList();
        Assert.Equal(1, (await Task.WhenAll(closes)).Sum());
        Assert.Equal(8, refused);

        var closed = await host.Anonymous.GetConsultationAsync(new GetConsultationRequest { Id = consultation.Id });
        var listed = await host.Anonymous.ListResponsesAsync(new ListResponsesRequest { ConsultationId = consultation.Id, PageSize = 500 });
        Assert.Equal(receipts.Select(r => r.ResponseId).Order(), listed.Responses.Select(r => r.Id).Order());
        Assert.Equal(receipts.Count, closed.PublishedResponseCount);
        Assert.Equal(LogRecipe.Digest(listed.Responses), closed.ResponsesDigest);
        Assert.All(receipts, r => Assert.True(r.ReceivedAt.ToDateTimeOffset() < Deadline));
        output.WriteLine($"{receipts.Count} racing submissions accepted, all in the digest; {refused} refused");
    }

    [Fact]
    public async Task Pages_of_responses_follow_receipt_order_without_gaps_or_repeats_also_for_responses_received_at_the_same_instant()
    {
        await using var host = await ConsultationsHost.StartAsync(January10);
        var consultation = await OpenAsync(host);
        var receipts = new List<Receipt>();
        for (var i = 0; i < 7; i++)
        {
            // Three instants, several responses at each: the tracking number orders those.
            host.Clock.Now = January10.AddMinutes(i / 3);
            receipts.Add(await host.Anonymous.SubmitResponseAsync(Submission(consultation.Id, $"response {i}")));
        }
        var expected = receipts.OrderBy(r => r.ReceivedAt).ThenBy(r => r.TrackingNumber, StringComparer.Ordinal).Select(r => r.ResponseId).ToList();

        var pages = new List<List<string>>();
        var token = "";
        do
        {
            var page = await host.Anonymous.ListResponsesAsync(new ListResponsesRequest { ConsultationId = consultation.Id, PageSize = 2, PageToken = token });
            pages.Add(page.Responses.Select(r => r.Id).ToList());
            token = page.NextPageToken;
            // A response arriving while someone pages through comes at the end, never shifts a page.
            if (pages.Count == 2)
            {
                host.Clock.Now = January10.AddMinutes(5);
                expected.Add((await host.Anonymous.SubmitResponseAsync(Submission(consultation.Id, "late arrival"))).ResponseId);
            }
        }
        while (token != "" && pages.Count < 10);

        Assert.Equal([2, 2, 2, 2], pages.Select(p => p.Count));
        Assert.Equal(expected, pages.SelectMany(p => p));

        // A token issued before positions were used (an offset) still continues the list.
        var offsetToken = Convert.ToBase64String(Encoding.ASCII.GetBytes("o:6")).TrimEnd('=');
        var rest = await host.Anonymous.ListResponsesAsync(new ListResponsesRequest { ConsultationId = consultation.Id, PageSize = 2, PageToken = offsetToken });
        Assert.Equal(expected[6..], rest.Responses.Select(r => r.Id));
        Assert.Equal("", rest.NextPageToken);

        foreach (var bad in new[] { "not-a-token", Convert.ToBase64String(Encoding.ASCII.GetBytes("r:12:")), Convert.ToBase64String(Encoding.ASCII.GetBytes("r:x:CWG-1")) })
        {
            var e = await Fails(StatusCode.InvalidArgument, async () => await host.Anonymous.ListResponsesAsync(new ListResponsesRequest { ConsultationId = consultation.Id, PageToken = bad }));
            Assert.Contains("page_token", e.Status.Detail);
        }
        // A response position means nothing to the other lists.
        await Fails(StatusCode.InvalidArgument, async () => await host.Anonymous.ListConsultationsAsync(new ListConsultationsRequest { PageToken = token == "" ? Convert.ToBase64String(Encoding.ASCII.GetBytes("r:1:CWG-1")) : token }));
    }

    [Fact]
    public async Task Pages_of_responses_newest_first_run_backwards_through_receipt_order_and_keep_to_their_order()
    {
        await using var host = await ConsultationsHost.StartAsync(January10);
        var consultation = await OpenAsync(host);
        var receipts = new List<Receipt>();
        for (var i = 0; i < 7; i++)
        {
            host.Clock.Now = January10.AddMinutes(i / 3);
            receipts.Add(await host.Anonymous.SubmitResponseAsync(Submission(consultation.Id, $"response {i}")));
        }
        var expected = receipts.OrderByDescending(r => r.ReceivedAt).ThenByDescending(r => r.TrackingNumber, StringComparer.Ordinal).Select(r => r.ResponseId).ToList();

        var pages = new List<List<string>>();
        var token = "";
        string? firstToken = null;
        do
        {
            var page = await host.Anonymous.ListResponsesAsync(new ListResponsesRequest { ConsultationId = consultation.Id, PageSize = 2, PageToken = token, NewestFirst = true });
            pages.Add(page.Responses.Select(r => r.Id).ToList());
            token = page.NextPageToken;
            firstToken ??= token;
            // A response arriving while someone pages back is on a new first page, never shifts the next ones.
            if (pages.Count == 2)
            {
                host.Clock.Now = January10.AddMinutes(5);
                await host.Anonymous.SubmitResponseAsync(Submission(consultation.Id, "late arrival"));
            }
        }
        while (token != "" && pages.Count < 10);

        Assert.Equal([2, 2, 2, 1], pages.Select(p => p.Count));
        Assert.Equal(expected, pages.SelectMany(p => p));

        // A token continues the order it was issued in; sent with the other order it is refused, naming why.
        var other = await Fails(StatusCode.InvalidArgument, async () => await host.Anonymous.ListResponsesAsync(
            new ListResponsesRequest { ConsultationId = consultation.Id, PageSize = 2, PageToken = firstToken }));
        Assert.Equal("page_token continues the list newest first: send it with newest_first", other.Status.Detail);
        var receiptToken = (await host.Anonymous.ListResponsesAsync(new ListResponsesRequest { ConsultationId = consultation.Id, PageSize = 2 })).NextPageToken;
        var backwards = await Fails(StatusCode.InvalidArgument, async () => await host.Anonymous.ListResponsesAsync(
            new ListResponsesRequest { ConsultationId = consultation.Id, PageSize = 2, PageToken = receiptToken, NewestFirst = true }));
        Assert.Equal("page_token continues the list in receipt order: send it without newest_first", backwards.Status.Detail);
    }

    [Fact]
    public async Task A_consultation_that_fell_due_while_the_service_was_down_is_closed_at_start()
    {
        string connectionString;
        string consultationId;
        await using (var first = await ConsultationsHost.StartAsync(January10))
        {
            consultationId = (await OpenAsync(first)).Id;
            await first.Anonymous.SubmitResponseAsync(Submission(consultationId, "Before the outage."));
            connectionString = first.ConnectionString;
        }

        await using var second = await ConsultationsHost.StartAsync(Deadline.AddDays(2), connectionString);
        V1.Consultation state;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        do
        {
            await Task.Delay(50);
            state = await second.Anonymous.GetConsultationAsync(new GetConsultationRequest { Id = consultationId });
        }
        while (state.State == ConsultationState.Open && waited.Elapsed < TimeSpan.FromSeconds(10));

        Assert.Equal(ConsultationState.Closed, state.State);
        Assert.Equal(1, state.PublishedResponseCount);
        Assert.Equal(Deadline.AddDays(2), state.ClosedAt.ToDateTimeOffset());
    }

    [Fact]
    public async Task A_closed_consultations_results_are_computed_once_however_many_read_them_at_once()
    {
        await using var host = await ConsultationsHost.StartAsync(January10);
        var consultation = await OpenAsync(host);
        const string letter = "We ask the group to protect an open, interoperable and affordable Internet for everyone, everywhere, and to publish this response.";
        for (var i = 0; i < 6; i++)
        {
            host.Clock.Now = January10.AddMinutes(i);
            await host.Anonymous.SubmitResponseAsync(Submission(consultation.Id, letter + $" Signed, supporter {i}."));
        }

        // Counted from before the close: the close itself starts the computation (stored for every instance, ResultsStoreTests).
        var packages = host.Services.GetRequiredService<Wsis.Consultations.Examination.ExaminationPackages>();
        var before = packages.Computations;
        host.Clock.Now = Deadline.AddSeconds(1);
        Assert.Equal(1, await host.CloseDueAsync());

        var read = await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ =>
            await host.Anonymous.GetConsultationResultsAsync(new GetConsultationResultsRequest { ConsultationId = consultation.Id, PageSize = 4 })));
        var again = await host.Anonymous.GetConsultationResultsAsync(new GetConsultationResultsRequest { ConsultationId = consultation.Id, PageSize = 4, PageToken = read[0].NextPageToken });

        Assert.Equal(1, packages.Computations - before);
        Assert.All(read, r => Assert.Equal(6, r.Total));
        Assert.All(read, r => Assert.Equal(6, Assert.Single(r.SimilarityGroups).Size));
        Assert.All(read, r => Assert.Equal(read[0].Responses.Select(x => x.Id), r.Responses.Select(x => x.Id)));
        Assert.Equal(2, again.Responses.Count);
        Assert.Equal("", again.NextPageToken);
        Assert.All(read[0].Responses.Concat(again.Responses), r => Assert.Equal(read[0].SimilarityGroups[0].Id, r.SimilarityGroup));
    }

    [Fact]
    public async Task A_campaign_of_more_than_a_thousand_letters_lists_its_first_thousand_members_and_its_size()
    {
        await using var host = await ConsultationsHost.StartAsync(January10);
        var consultation = await OpenAsync(host);
        const string letter = "We ask the group to protect an open, interoperable and affordable Internet for everyone, everywhere, and to publish this response.";
        await Parallel.ForEachAsync(Enumerable.Range(0, 1001), new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (i, _) => await host.Anonymous.SubmitResponseAsync(Submission(consultation.Id, letter + $" Signed, supporter {i}.")));

        var results = await host.Anonymous.GetConsultationResultsAsync(new GetConsultationResultsRequest { ConsultationId = consultation.Id, PageSize = 1000 });

        var campaign = Assert.Single(results.SimilarityGroups);
        Assert.Equal(1001, campaign.Size);
        Assert.Equal(1000, campaign.ResponseIds.Count);
        Assert.Equal(results.Responses.Select(r => r.Id), campaign.ResponseIds.Take(results.Responses.Count)); // in receipt order
        Assert.NotEqual("", results.NextPageToken);
    }

    [Fact]
    public async Task An_open_consultations_results_follow_each_response_while_small_and_are_reused_for_their_max_age_once_large()
    {
        await using var host = await ConsultationsHost.StartAsync(January10, settings: new Dictionary<string, string?>
        {
            ["Consultations:LiveCount:CacheFrom"] = "3",
            ["Consultations:LiveCount:MaxAgeSeconds"] = "0",
            ["Consultations:Results:MaxAgeSeconds"] = "60",
        });
        var consultation = await OpenAsync(host);
        async Task<int> TotalAsync() => (await host.Anonymous.GetConsultationResultsAsync(new GetConsultationResultsRequest { ConsultationId = consultation.Id })).Total;
        Task Submit(int n) => host.Anonymous.SubmitResponseAsync(Submission(consultation.Id, $"Response number {n} about transit prices.")).ResponseAsync;

        await Submit(1);
        Assert.Equal(1, await TotalAsync());
        await Submit(2);
        Assert.Equal(2, await TotalAsync());
        await Submit(3);
        Assert.Equal(3, await TotalAsync());

        // From CacheFrom on, the package is reused for Results:MaxAgeSeconds, then brought up to date.
        await Submit(4);
        Assert.Equal(3, await TotalAsync());
        host.Clock.Now += TimeSpan.FromSeconds(61);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var total = await TotalAsync(); // the previous package while the new one is computed
        while (total != 4 && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50);
            total = await TotalAsync();
        }

        Assert.Equal(4, total);
    }

    [Fact]
    public async Task A_large_live_count_is_reused_for_its_max_age_and_a_small_one_is_exact()
    {
        await using var host = await ConsultationsHost.StartAsync(January10, settings: new Dictionary<string, string?>
        {
            ["Consultations:LiveCount:CacheFrom"] = "3",
            ["Consultations:LiveCount:MaxAgeSeconds"] = "5",
        });
        var consultation = await OpenAsync(host);
        async Task<int> CountAsync() => (await host.Anonymous.GetConsultationAsync(new GetConsultationRequest { Id = consultation.Id })).PublishedResponseCount;
        async Task<int> ListedCountAsync() => (await host.Anonymous.ListConsultationsAsync(new ListConsultationsRequest { State = ConsultationState.Open }))
            .Consultations.Single(c => c.Id == consultation.Id).PublishedResponseCount;
        Task Submit(int n) => host.Anonymous.SubmitResponseAsync(Submission(consultation.Id, $"Response {n}.")).ResponseAsync;

        // Below CacheFrom every read counts.
        await Submit(1);
        Assert.Equal(1, await CountAsync());
        await Submit(2);
        Assert.Equal(2, await CountAsync());
        Assert.Equal(2, await ListedCountAsync());

        // From CacheFrom on, the count read is reused until it is MaxAgeSeconds old, by every read path.
        await Submit(3);
        Assert.Equal(3, await CountAsync());
        await Submit(4);
        host.Clock.Now += TimeSpan.FromSeconds(4);
        Assert.Equal(3, await CountAsync());
        Assert.Equal(3, await ListedCountAsync());

        host.Clock.Now += TimeSpan.FromSeconds(2);
        Assert.Equal(4, await CountAsync());
        Assert.Equal(4, await ListedCountAsync());

        // The closing fixes the exact count whatever was reused.
        await Submit(5);
        host.Clock.Now = Deadline.AddMinutes(1);
        Assert.Equal(1, await host.CloseDueAsync());
        Assert.Equal(5, await CountAsync());
    }

    [Fact]
    public async Task Results_keys_and_errors_name_channels_categories_and_states_as_the_proto_does()
    {
        await using var host = await ConsultationsHost.StartAsync(January10);
        var consultation = await OpenAsync(host);
        await host.Anonymous.SubmitResponseAsync(Submission(consultation.Id, "By the web form."));
        var post = Encoding.UTF8.GetBytes($"From: a@example.org\r\nTo: cwg-consult@lists.itu.int\r\nSubject: {consultation.SubjectTag} list post\r\n\r\nBy the list.\r\n");
        await host.Secretariat.IngestEmailAsync(new IngestEmailRequest { RawMessage = ByteString.CopyFrom(post), Channel = Channel.MailingList, EnvelopeRecipient = "cwg-consult@lists.itu.int" });
        var notYet = await Fails(StatusCode.FailedPrecondition, async () => await host.Secretariat.RecordExaminationAsync(new RecordExaminationRequest { ConsultationId = consultation.Id, MeetingId = consultation.MeetingId }));
        Assert.StartsWith("the consultation is OPEN; only a CLOSED consultation can be examined", notYet.Status.Detail);

        host.Clock.Now = Deadline;
        await host.CloseDueAsync();
        var results = await host.Anonymous.GetConsultationResultsAsync(new GetConsultationResultsRequest { ConsultationId = consultation.Id });

        Assert.Equal(["MAILING_LIST", "WEB"], results.ByChannel.Select(c => c.Key).Order(StringComparer.Ordinal));
        Assert.Equal(["CIVIL_SOCIETY", "RESPONDENT_CATEGORY_UNSPECIFIED"], results.ByCategory.Select(c => c.Key).Order(StringComparer.Ordinal));
        var early = await Fails(StatusCode.FailedPrecondition, async () => await host.Secretariat.PublishResultsAsync(new PublishResultsRequest { ConsultationId = consultation.Id, Summary = "s" }));
        Assert.StartsWith("the consultation is CLOSED;", early.Status.Detail);
        await host.Secretariat.RecordExaminationAsync(new RecordExaminationRequest { ConsultationId = consultation.Id, MeetingId = consultation.MeetingId });
        await host.Secretariat.PublishResultsAsync(new PublishResultsRequest { ConsultationId = consultation.Id, Summary = "Two responses." });
        var again = await Fails(StatusCode.FailedPrecondition, async () => await host.Secretariat.RecordExaminationAsync(new RecordExaminationRequest { ConsultationId = consultation.Id, MeetingId = consultation.MeetingId }));
        Assert.StartsWith("the consultation is RESULTS_PUBLISHED", again.Status.Detail);
        Assert.DoesNotContain("ResultsPublished", again.Status.Detail);
    }

    [Fact]
    public void When_a_reused_count_expires_one_caller_recounts_and_the_others_get_the_previous_count()
    {
        var clock = new TestClock(January10);
        var counts = new Intake.LiveCounts(clock, Microsoft.Extensions.Options.Options.Create(new ConsultationsOptions
        {
            LiveCount = new ConsultationsOptions.LiveCountSettings { CacheFrom = 100, MaxAgeSeconds = 5 },
        }));
        var id = Guid.NewGuid();
        var other = Guid.NewGuid();

        Assert.False(counts.TryGet(id, out _));
        counts.Remember(id, 99);
        Assert.False(counts.TryGet(id, out _));
        counts.Remember(id, 150);
        Assert.True(counts.TryGet(id, out var fresh));
        Assert.Equal(150, fresh);
        Assert.False(counts.TryGet(other, out _));

        clock.Now += TimeSpan.FromSeconds(5);
        Assert.False(counts.TryGet(id, out _));
        Assert.True(counts.TryGet(id, out var previous));
        Assert.Equal(150, previous);
        Assert.True(counts.TryGet(id, out _));

        // The recount never came back: after four ages every caller counts again.
        clock.Now += TimeSpan.FromSeconds(15);
        Assert.False(counts.TryGet(id, out _));
        Assert.False(counts.TryGet(id, out _));

        counts.Remember(id, 160);
        Assert.True(counts.TryGet(id, out var recounted));
        Assert.Equal(160, recounted);

        // A count that fell below CacheFrom (responses withdrawn from publication) is exact again.
        counts.Remember(id, 40);
        Assert.False(counts.TryGet(id, out _));
    }
}
