using Microsoft.Extensions.Configuration;
using Wsis.Consultations.Model;
using Xunit;

namespace Wsis.Consultations.Tests;

public class SubmissionLimitsTests
{
    private static (string, string, long) Pdf(long length, string name = "response.pdf") => (name, "application/pdf", length);

    [Fact]
    public void Defaults_are_documented_values()
    {
        var limits = new SubmissionLimits();
        Assert.Equal(200_000, limits.MaxTextCharacters);
        Assert.Equal(10, limits.MaxAttachments);
        Assert.Equal(10L * 1024 * 1024, limits.MaxAttachmentBytes);
        Assert.Equal(25L * 1024 * 1024, limits.MaxTotalAttachmentBytes);
        Assert.Contains("application/pdf", limits.EffectiveMediaTypes);
        Assert.Null(limits.Check("A response.", [Pdf(1000)]));
    }

    [Fact]
    public void Configuration_binds_every_limit_and_a_configured_media_type_list_replaces_the_default()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consultations:Limits:MaxTextCharacters"] = "50",
            ["Consultations:Limits:MaxAttachments"] = "1",
            ["Consultations:Limits:MaxAttachmentBytes"] = "100",
            ["Consultations:Limits:MaxTotalAttachmentBytes"] = "150",
            ["Consultations:Limits:MaxEmailBytes"] = "1000",
            ["Consultations:Limits:AllowedMediaTypes:0"] = "text/plain",
        }).Build();

        var limits = configuration.GetSection(SubmissionLimits.Section).Get<SubmissionLimits>()!;

        Assert.Equal((50, 1, 100L, 150L, 1000L), (limits.MaxTextCharacters, limits.MaxAttachments, limits.MaxAttachmentBytes, limits.MaxTotalAttachmentBytes, limits.MaxEmailBytes));
        Assert.Equal(["text/plain"], limits.EffectiveMediaTypes);
        Assert.Equal("Consultations:Limits:AllowedMediaTypes", limits.Check("x", [Pdf(10)])!.Limit);
    }

    [Theory]
    [InlineData(6, 0, 0, "Consultations:Limits:MaxTextCharacters")]
    [InlineData(1, 3, 1, "Consultations:Limits:MaxAttachments")]
    [InlineData(1, 1, 101, "Consultations:Limits:MaxAttachmentBytes")]
    [InlineData(1, 2, 80, "Consultations:Limits:MaxTotalAttachmentBytes")]
    public void Each_broken_limit_is_named_in_the_message(int textLength, int attachmentCount, long attachmentLength, string limit)
    {
        var limits = new SubmissionLimits { MaxTextCharacters = 5, MaxAttachments = 2, MaxAttachmentBytes = 100, MaxTotalAttachmentBytes = 150 };

        var violation = limits.Check(new string('x', textLength), Enumerable.Range(0, attachmentCount).Select(i => Pdf(attachmentLength, $"f{i}.pdf")).ToList());

        Assert.NotNull(violation);
        Assert.Equal(limit, violation.Limit);
        Assert.Contains(limit, violation.Message);
    }

    [Theory]
    [InlineData("", "application/pdf", 5L, "attachments[0].file_name")]
    [InlineData("../etc/passwd", "application/pdf", 5L, "attachments[0].file_name")]
    [InlineData("a.exe", "application/x-msdownload", 5L, "Consultations:Limits:AllowedMediaTypes")]
    [InlineData("a.pdf", "application/pdf", 0L, "attachments[0].content")]
    public void Bad_attachments_are_refused_naming_the_field_or_limit(string name, string mediaType, long length, string limit)
    {
        var violation = new SubmissionLimits().Check("text", [(name, mediaType, length)]);
        Assert.Equal(limit, violation?.Limit);
    }

    [Fact]
    public void A_response_needs_text_or_an_attachment_and_e_mail_size_is_bounded()
    {
        Assert.Equal("text", new SubmissionLimits().Check("  ", [])?.Limit);
        Assert.Null(new SubmissionLimits().Check("", [Pdf(3)]));
        Assert.Equal("Consultations:Limits:MaxEmailBytes", new SubmissionLimits { MaxEmailBytes = 10 }.CheckEmail(11)?.Limit);
        Assert.Null(new SubmissionLimits { MaxEmailBytes = 10 }.CheckEmail(10));
    }
}
