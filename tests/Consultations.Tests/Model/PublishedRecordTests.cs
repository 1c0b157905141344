using System.Text;
using System.Text.Json;
using Platform.Domain;
using Wsis.Consultations.Model;
using Wsis.Consultations.Model.Mail;
using Xunit;

namespace Wsis.Consultations.Tests.Model;

/// <summary>The published record: what the public downloads and the log's leaf is made of.</summary>
public class PublishedRecordTests
{
    private static readonly Respondent Amina = Respondent.Create("Amina Diallo", "Réseau \"Sénégal\"", StakeholderCategory.CivilSociety, "sn", "amina@example.sn");

    private static Response Web(string text)
    {
        var response = Response.Submitted(Guid.CreateVersion7(), Amina, text, [("answer.pdf", "application/pdf", "%PDF"u8.ToArray())], "received"u8.ToArray(), Given.January10);
        response.AssignTrackingNumber();
        return response;
    }

    [Fact]
    public void A_web_responses_record_holds_its_public_fields_and_no_e_mail_address_and_its_hash_is_over_those_bytes()
    {
        var response = Web("Line one\r\nline two\ttab — 🌍 \u0001 end \\ \"quoted\"");

        var record = response.PublishedRecord!;
        Assert.Equal(ResponseHashes.Sha256Hex(record), response.PublishedSha256);
        Assert.DoesNotContain("amina@example.sn", Encoding.UTF8.GetString(record));
        using var json = JsonDocument.Parse(record);
        var root = json.RootElement;
        Assert.Equal(PublishedRecord.Format, root.GetProperty("format").GetString());
        Assert.Equal(response.ConsultationId.ToString(), root.GetProperty("consultation_id").GetString());
        Assert.Equal(response.Id.ToString(), root.GetProperty("response_id").GetString());
        Assert.Equal(response.TrackingNumber, root.GetProperty("tracking_number").GetString());
        Assert.Equal("2027-01-10T12:00:00.0000000Z", root.GetProperty("received_at").GetString());
        Assert.Equal("WEB", root.GetProperty("channel").GetString());
        Assert.Equal(response.Text, root.GetProperty("text").GetString());
        Assert.Equal("CIVIL_SOCIETY", root.GetProperty("respondent").GetProperty("category").GetString());
        Assert.Equal("Réseau \"Sénégal\"", root.GetProperty("respondent").GetProperty("organisation").GetString());
        Assert.False(root.GetProperty("respondent").TryGetProperty("email", out _));
        Assert.False(root.TryGetProperty("subject", out _));
        var attachment = Assert.Single(root.GetProperty("attachments").EnumerateArray().ToList());
        Assert.Equal(ResponseHashes.Sha256Hex("%PDF"u8), attachment.GetProperty("sha256").GetString());
        Assert.Equal(4, attachment.GetProperty("size").GetInt64());
    }

    [Fact]
    public void The_record_is_RFC_8785_canonical_sorted_members_no_whitespace_only_required_escapes()
    {
        var response = Web("é 🌍 <tag> & 'q' \u0001\u001f\b\f\n\r\t/");

        var text = Encoding.UTF8.GetString(response.PublishedRecord!);

        Assert.StartsWith("{\"attachments\":[{\"file_name\":\"answer.pdf\",\"index\":0,\"media_type\":\"application/pdf\",\"sha256\":\"", text);
        Assert.Contains("\"text\":\"é 🌍 <tag> & 'q' \\u0001\\u001f\\b\\f\\n\\r\\t/\"", text);
        Assert.DoesNotContain(": ", text);
        // Every object's members are in ordinal order of their names.
        using var json = JsonDocument.Parse(response.PublishedRecord);
        AssertSorted(json.RootElement);
    }

    [Fact]
    public void An_e_mail_record_carries_its_subject_and_the_senders_name_but_not_the_address_and_an_unassigned_one_has_none_until_assigned()
    {
        var raw = Encoding.UTF8.GetBytes("From: Ana Lima <ana.lima@example.br>\r\nSubject: Community networks\r\n\r\nSpectrum access.\r\n");
        var message = new MailMessageReader().Read(raw);
        var mail = Response.Emailed(ResponseChannel.Email, raw, message, "cwg@itu.int", Guid.CreateVersion7(), Given.January10);
        mail.AssignTrackingNumber();
        var unassigned = Response.Emailed(ResponseChannel.Email, raw, message, "cwg@itu.int", null, Given.January10);
        unassigned.AssignTrackingNumber();

        var text = Encoding.UTF8.GetString(mail.PublishedRecord!);
        Assert.Contains("\"subject\":\"Community networks\"", text);
        Assert.Contains("\"channel\":\"EMAIL\"", text);
        Assert.Contains("\"name\":\"Ana Lima\"", text);
        Assert.DoesNotContain("ana.lima@example.br", text);
        Assert.Null(unassigned.PublishedRecord);
        Assert.Null(unassigned.PublishedSha256);

        unassigned.AssignTo(Guid.CreateVersion7(), new ResponseWindow(ConsultationState.Open, Given.Deadline));
        Assert.True(unassigned.Published);
        Assert.Equal(ResponseHashes.Sha256Hex(unassigned.PublishedRecord!), unassigned.PublishedSha256);
    }

    [Fact]
    public void An_unassigned_e_mail_received_after_the_deadline_is_assigned_as_late_and_one_received_in_time_for_a_closed_consultation_is_refused()
    {
        var raw = Encoding.UTF8.GetBytes("From: A <a@example.org>\r\nSubject: s\r\n\r\nText.\r\n");
        var message = new MailMessageReader().Read(raw);
        var late = Response.Emailed(ResponseChannel.Email, raw, message, "x@itu.int", null, Given.Deadline);
        late.AssignTrackingNumber();
        late.AssignTo(Guid.CreateVersion7(), new ResponseWindow(ConsultationState.Closed, Given.Deadline));
        Assert.True(late.Late);
        Assert.False(late.Published);

        var onTime = Response.Emailed(ResponseChannel.Email, raw, message, "x@itu.int", null, Given.January10);
        var refused = Given.Refused(Platform.Domain.DomainErrorKind.FailedPrecondition,
            () => onTime.AssignTo(Guid.CreateVersion7(), new ResponseWindow(ConsultationState.Closed, Given.Deadline)));
        Assert.Contains("CLOSED", refused.Message);
        Assert.Null(onTime.ConsultationId);
    }

    private static void AssertSorted(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            var names = element.EnumerateObject().Select(p => p.Name).ToList();
            Assert.Equal(names.Order(StringComparer.Ordinal), names);
            foreach (var p in element.EnumerateObject())
            {
                AssertSorted(p.Value);
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                AssertSorted(item);
            }
        }
    }
}
