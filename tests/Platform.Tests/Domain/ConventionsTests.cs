using Platform.Data;
using Platform.Domain;
using Xunit;

namespace Platform.Tests.Domain;

/// <summary>The conventions every service shares: country codes and paging tokens.</summary>
public sealed class ConventionsTests
{
    [Theory]
    [InlineData("CH", "CH")]
    [InlineData(" ch ", "CH")]
    [InlineData("ke", "KE")]
    public void An_assigned_country_code_reads_in_upper_case(string text, string expected) =>
        Assert.Equal(expected, CountryCode.Parse(text).Value);

    [Theory]
    [InlineData("XK")]
    [InlineData("UK")]
    [InlineData("CHE")]
    [InlineData("C1")]
    [InlineData("756")]
    [InlineData("en-US")]
    public void Anything_else_is_refused_naming_the_field(string text)
    {
        var error = Assert.Throws<DomainException>(() => CountryCode.Parse(text, "respondent.country_code"));
        Assert.Equal(DomainErrorKind.InvalidArgument, error.Kind);
        Assert.StartsWith("respondent.country_code", error.Message);
    }

    [Fact]
    public void A_missing_country_code_says_it_is_required()
    {
        var error = Assert.Throws<DomainException>(() => CountryCode.Parse("  "));
        Assert.Equal("country_code is required: an ISO 3166-1 alpha-2 country code such as CH", error.Message);
    }

    [Fact]
    public void Pages_follow_one_another_by_offset_to_the_end()
    {
        var first = Paging.Read(0, "");
        Assert.Equal((0, Paging.DefaultSize), (first.Offset, first.Size));
        var token = first.NextAt(50, total: 120);
        var second = Paging.Read(50, token);
        Assert.Equal(50, second.Offset);
        var third = Paging.Read(50, second.NextAt(50, total: 120));
        Assert.Equal(100, third.Offset);
        Assert.Equal("", third.NextAt(20, total: 120));
        Assert.Equal(Paging.MaxSize, Paging.Read(10_000, "").Size);
    }

    [Fact]
    public void A_keyset_token_carries_the_position_after_the_last_item()
    {
        var page = Paging.Read(10, Paging.NextAfter("638000000000000000:CWG-0001-0042"));
        Assert.Equal("638000000000000000:CWG-0001-0042", page.After);
        Assert.Throws<DomainException>(() => Paging.ReadOffset(10, Paging.NextAfter("x")));
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData("bzpzZXZlbg")] // "o:seven"
    [InlineData("eDo1")] // "x:5"
    public void A_token_this_service_did_not_issue_is_refused(string token)
    {
        var error = Assert.Throws<DomainException>(() => Paging.Read(10, token));
        Assert.Equal("page_token is not a token this service issued", error.Message);
    }

    [Fact]
    public void A_negative_page_size_is_refused() =>
        Assert.Equal("page_size must not be negative", Assert.Throws<DomainException>(() => Paging.Read(-1, "")).Message);
}
