using Grpc.Shared;

namespace Grpc.Tests;

public class ProtocolRulesTests
{
    [Theory]
    [InlineData("1H", 36_000_000_000L)]
    [InlineData("2M", 1_200_000_000L)]
    [InlineData("3S", 30_000_000L)]
    [InlineData("250m", 2_500_000L)]
    [InlineData("1500u", 15_000L)]
    [InlineData("1000n", 10L)]
    [InlineData("1n", 1L)]
    [InlineData("99999999S", 999_999_990_000_000L)]
    public void Timeout_in_every_unit_is_parsed(string value, long ticks)
    {
        Assert.True(GrpcProtocol.TryParseTimeout(value, out var timeout));
        Assert.Equal(ticks, timeout.Ticks);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("10")]
    [InlineData("10s")]
    [InlineData("-1S")]
    [InlineData("1.5S")]
    [InlineData("123456789S")]
    [InlineData("1 S")]
    public void Malformed_timeout_is_rejected(string? value)
    {
        Assert.False(GrpcProtocol.TryParseTimeout(value, out _));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(999)]
    [InlineData(1_000_000)]
    [InlineData(123_456_789)]
    [InlineData(36_000_000_000_000)]
    public void Formatted_timeout_fits_eight_digits_and_never_shortens(long ticks)
    {
        var text = GrpcProtocol.FormatTimeout(TimeSpan.FromTicks(ticks));
        Assert.InRange(text.Length, 2, 9);
        Assert.True(GrpcProtocol.TryParseTimeout(text, out var parsed));
        Assert.True(parsed.Ticks >= ticks, $"{text} is shorter than {ticks} ticks");
    }

    [Fact]
    public void Huge_timeout_is_capped_in_hours()
    {
        Assert.Equal("99999999H", GrpcProtocol.FormatTimeout(TimeSpan.MaxValue));
    }

    [Theory]
    [InlineData("plain message", "plain message")]
    [InlineData("100%", "100%25")]
    [InlineData("\t\nA\r", "%09%0AA%0D")]
    [InlineData("café ☺ 😈", "caf%C3%A9 %E2%98%BA %F0%9F%98%88")]
    public void Status_message_is_percent_encoded_as_utf8(string message, string encoded)
    {
        Assert.Equal(encoded, GrpcProtocol.PercentEncode(message));
        Assert.Equal(message, GrpcProtocol.PercentDecode(encoded));
    }

    [Theory]
    [InlineData("50%", "50%")]
    [InlineData("%zz end", "%zz end")]
    [InlineData("%4", "%4")]
    [InlineData("a%41b", "aAb")]
    public void Malformed_percent_escapes_are_kept(string value, string decoded)
    {
        Assert.Equal(decoded, GrpcProtocol.PercentDecode(value));
    }

    [Theory]
    [InlineData("AQID", new byte[] { 1, 2, 3 })]
    [InlineData("AQIDBA==", new byte[] { 1, 2, 3, 4 })]
    [InlineData("AQIDBA", new byte[] { 1, 2, 3, 4 })]
    [InlineData("AQIDBAU=", new byte[] { 1, 2, 3, 4, 5 })]
    [InlineData("AQIDBAU", new byte[] { 1, 2, 3, 4, 5 })]
    [InlineData("", new byte[0])]
    public void Binary_values_decode_padded_or_not(string value, byte[] bytes)
    {
        Assert.Equal(bytes, GrpcProtocol.DecodeBinaryValue(value));
    }

    [Theory]
    [InlineData("application/grpc", true)]
    [InlineData("application/grpc+proto", true)]
    [InlineData("application/grpc; charset=utf-8", true)]
    [InlineData("Application/GRPC", true)]
    [InlineData("application/grpc-web", false)]
    [InlineData("application/grpcx", false)]
    [InlineData("application/json", false)]
    [InlineData(null, false)]
    public void Grpc_content_types_are_recognised(string? contentType, bool expected)
    {
        Assert.Equal(expected, GrpcProtocol.IsGrpcContentType(contentType));
    }

    [Theory]
    [InlineData("identity,gzip,deflate", "gzip", true)]
    [InlineData("identity, gzip", "gzip", true)]
    [InlineData("identity,deflate", "gzip", false)]
    [InlineData(null, "gzip", false)]
    public void Accept_encoding_lists_are_searched(string? accept, string encoding, bool expected)
    {
        Assert.Equal(expected, GrpcProtocol.AcceptsEncoding(accept, encoding));
    }
}
