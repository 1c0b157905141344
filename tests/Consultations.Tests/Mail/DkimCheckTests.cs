using System.Text;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Wsis.Consultations.Intake;
using Wsis.Consultations.Model;
using Wsis.Consultations.Model.Mail;
using Wsis.Consultations.Tests.Service;
using Wsis.Consultations.V1;
using Xunit;
using DkimResult = Wsis.Consultations.Model.DkimResult;

namespace Wsis.Consultations.Tests.Mail;

/// <summary>DKIM on receipt, against a real DNS server serving the test's keys, with messages MimeKit signed.</summary>
public class DkimCheckTests
{
    private static readonly byte[] Letter = Encoding.UTF8.GetBytes(
        "From: Ana Lima <ana.lima@example.org>\r\nTo: cwg-consultation@itu.int\r\nSubject: Community networks\r\n" +
        "Date: Sun, 10 Jan 2027 12:00:00 +0000\r\nMessage-ID: <dkim-1@example.org>\r\n\r\nSpectrum access for community networks.\r\n");

    private static DkimCheck Check(string nameServer) =>
        new(Options.Create(new ConsultationsOptions { Dkim = { NameServers = [nameServer], TimeoutMilliseconds = 500 } }), NullLogger<DkimCheck>.Instance);

    private static Task<SenderVerification> VerifyAsync(DkimCheck check, byte[] raw) => check.VerifyAsync(raw, new MailMessageReader().Read(raw), CancellationToken.None);

    [Fact]
    public async Task A_signed_message_passes_with_its_domain_a_tampered_or_unpublished_one_fails_an_unsigned_one_is_none_and_no_DNS_is_a_temporary_error()
    {
        var key = DkimDns.SigningKey.Create("example.org", "s2027");
        var unpublished = DkimDns.SigningKey.Create("example.net", "gone");
        await using var dns = await DkimDns.StartAsync([key], "example.net");
        var check = Check(dns.NameServer);

        var signed = key.Sign(Letter);
        Assert.Equal(new SenderVerification(DkimResult.Pass, "example.org"), await VerifyAsync(check, signed));

        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(signed).Replace("Spectrum access", "Spectrum auctions", StringComparison.Ordinal));
        Assert.Equal(new SenderVerification(DkimResult.Fail, "example.org"), await VerifyAsync(check, tampered));
        Assert.Equal(new SenderVerification(DkimResult.Fail, "example.net"), await VerifyAsync(check, unpublished.Sign(Letter)));
        Assert.Equal(SenderVerification.Unsigned, await VerifyAsync(check, Letter));

        var silent = Check($"127.0.0.1:{Testing.FreePort.Next()}");
        Assert.Equal(new SenderVerification(DkimResult.TempError, "example.org"), await VerifyAsync(silent, signed));
    }

    [Fact]
    public async Task The_outcome_is_recorded_on_the_response_shown_with_it_and_in_its_published_record_and_a_failure_is_still_published()
    {
        var key = DkimDns.SigningKey.Create("example.org", "s2027");
        await using var dns = await DkimDns.StartAsync([key]);
        await using var host = await ConsultationsHost.StartAsync(ConsultationsServiceTests.January10, settings: new Dictionary<string, string?> { ["Consultations:Dkim:NameServers:0"] = dns.NameServer });
        var consultation = await ConsultationsServiceTests.OpenAsync(host);
        var signed = key.Sign(Letter);
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(signed).Replace("community networks", "incumbent networks", StringComparison.Ordinal));

        var pass = await host.Secretariat.IngestEmailAsync(new IngestEmailRequest { RawMessage = ByteString.CopyFrom(signed), Channel = Channel.Email, EnvelopeRecipient = consultation.EmailAddress });
        var fail = await host.Secretariat.IngestEmailAsync(new IngestEmailRequest { RawMessage = ByteString.CopyFrom(tampered), Channel = Channel.Email, EnvelopeRecipient = consultation.EmailAddress });

        Assert.Equal((V1.DkimResult.DkimPass, "example.org"), (pass.DkimResult, pass.DkimDomain));
        Assert.Equal((IngestOutcome.Published, V1.DkimResult.DkimFail), (fail.Outcome, fail.DkimResult));
        var shown = await host.Anonymous.GetResponseAsync(new GetResponseRequest { Id = pass.Receipt.ResponseId });
        Assert.Equal((V1.DkimResult.DkimPass, "example.org"), (shown.DkimResult, shown.DkimDomain));
        var record = await host.Anonymous.GetPublishedRecordAsync(new GetPublishedRecordRequest { ResponseId = fail.Receipt.ResponseId });
        Assert.Contains("\"dkim\":{\"domain\":\"example.org\",\"result\":\"DKIM_FAIL\"}", record.Content.ToStringUtf8());
        Assert.Equal(2, (await host.Anonymous.ListResponsesAsync(new ListResponsesRequest { ConsultationId = consultation.Id })).Responses.Count);
    }
}
