using System.Text;
using NodaTime;
using Platform.Domain;
using Wsis.Consultations.Model;
using Wsis.Consultations.Model.Mail;
using Xunit;

namespace Wsis.Consultations.Tests.Model;

public class ResponseTests
{
    private static readonly Respondent Amina = Respondent.Create("Amina Diallo", "Réseau Sénégal", StakeholderCategory.CivilSociety, "sn", "amina@example.sn");

    [Fact]
    public void A_web_response_keeps_the_bytes_received_with_their_hash_and_is_published_at_once()
    {
        var received = Encoding.UTF8.GetBytes("the request as received");
        var pdf = new byte[] { 0x25, 0x50, 0x44, 0x46 };
        var response = Response.Submitted(Guid.CreateVersion7(), Amina, "Our answer.", [("answer.pdf", " Application/PDF ", pdf)], received, Given.January10);

        Assert.True(response.Published);
        Assert.Equal(7, response.Id.Version);
        Assert.Equal(received, response.Content);
        Assert.Equal(ResponseHashes.Sha256Hex(received), response.Sha256);
        Assert.Equal(("Amina Diallo", "SN", StakeholderCategory.CivilSociety), (response.RespondentName, response.RespondentCountryCode, response.RespondentCategory));
        var attachment = Assert.Single(response.Attachments);
        Assert.Equal(("answer.pdf", "application/pdf", 4L, ResponseHashes.Sha256Hex(pdf)), (attachment.FileName, attachment.MediaType, attachment.Size, attachment.Sha256));
    }

    [Fact]
    public void A_respondent_names_a_category_an_assigned_country_code_or_none_and_an_address_and_errors_name_the_field()
    {
        Assert.Contains("respondent.category", Given.Refused(DomainErrorKind.InvalidArgument,
            () => Respondent.Create("A", "", StakeholderCategory.Unspecified, "", "")).Message);
        Assert.Contains("respondent.country_code", Given.Refused(DomainErrorKind.InvalidArgument,
            () => Respondent.Create("A", "", StakeholderCategory.Government, "CHE", "")).Message);
        Assert.Contains("respondent.country_code", Given.Refused(DomainErrorKind.InvalidArgument,
            () => Respondent.Create("A", "", StakeholderCategory.Government, "XX", "")).Message);
        Assert.Equal("respondent.name is required", Given.Refused(DomainErrorKind.InvalidArgument,
            () => Respondent.Create(" ", "", StakeholderCategory.Government, "", "")).Message);
        var email = Given.Refused(DomainErrorKind.InvalidArgument, () => Respondent.Create("A", "", StakeholderCategory.Government, "", "not an address"));
        Assert.DoesNotContain("not an address", email.Message);
        Assert.Equal("", Respondent.Create("A", "", StakeholderCategory.Individual, " ", "").CountryCode);
    }

    [Fact]
    public void A_mailing_list_post_is_attributed_to_its_author_not_to_the_list()
    {
        var raw = Encoding.UTF8.GetBytes(
            "From: Ana Lima via CWG-Consult <cwg-consult@lists.itu.int>\r\nX-Original-From: Ana Lima <ana.lima@example.br>\r\n" +
            "Subject: Community networks\r\n\r\nSpectrum access.\r\n");
        var message = new MailMessageReader().Read(raw);

        var post = Response.Emailed(ResponseChannel.MailingList, raw, message, "cwg-consult@lists.itu.int", Guid.CreateVersion7(), Given.January10);
        var mail = Response.Emailed(ResponseChannel.Email, raw, message, "cwg-consult@lists.itu.int", Guid.CreateVersion7(), Given.January10);

        Assert.Equal(("Ana Lima", "ana.lima@example.br"), (post.RespondentName, post.RespondentEmail));
        Assert.Equal("cwg-consult@lists.itu.int", mail.RespondentEmail);
        Assert.Equal(raw, post.Content);
        Assert.Equal("Spectrum access.", post.Text);
    }

    [Fact]
    public void An_e_mail_that_names_no_consultation_is_kept_unpublished_and_a_late_one_is_kept_marked_late()
    {
        var raw = Encoding.UTF8.GetBytes("From: a@example.org\r\nSubject: which one?\r\n\r\nText.\r\n");
        var message = new MailMessageReader().Read(raw);

        var stray = Response.Emailed(ResponseChannel.Email, raw, message, "secretariat@itu.int", null, Given.January10);
        Assert.False(stray.Published);
        Assert.False(stray.Late);

        var late = Response.Emailed(ResponseChannel.Email, raw, message, "x@itu.int", Guid.CreateVersion7(), Given.Deadline);
        Assert.True(late.Published);
        late.KeepAsLate();
        Assert.Equal((false, true), (late.Published, late.Late));
    }

    [Fact]
    public void A_tracking_number_carries_the_year_of_receipt()
    {
        var response = Response.Submitted(Guid.CreateVersion7(), Amina, "x", [], [1], Instant.FromUtc(2027, 12, 31, 23, 59));
        response.AssignTrackingNumber();
        Assert.StartsWith("CWG-27-", response.TrackingNumber);
        Assert.True(TrackingNumber.TryParse(response.TrackingNumber, out _));
    }
}
