using Grpc.Core;

namespace Grpc.Tests;

public class MetadataTests
{
    [Fact]
    public void Keys_are_lower_cased_and_looked_up_case_insensitively()
    {
        var metadata = new Metadata { { "X-Trace-Id", "abc" } };
        Assert.Equal("x-trace-id", metadata[0].Key);
        Assert.Equal("abc", metadata.GetValue("X-TRACE-ID"));
    }

    [Theory]
    [InlineData("bad key")]
    [InlineData("bad:key")]
    [InlineData("ключ")]
    public void Invalid_keys_are_refused_with_the_rule(string key)
    {
        var ex = Assert.Throws<ArgumentException>(() => new Metadata.Entry(key, "v"));
        Assert.Contains("a-z, 0-9", ex.Message);
    }

    [Fact]
    public void Binary_values_need_a_bin_key_and_text_values_must_not_have_one()
    {
        Assert.Throws<ArgumentException>(() => new Metadata.Entry("x-data", new byte[] { 1 }));
        Assert.Throws<ArgumentException>(() => new Metadata.Entry("x-data-bin", "text"));
        var entry = new Metadata.Entry("x-data-bin", new byte[] { 1, 2 });
        Assert.True(entry.IsBinary);
        Assert.Equal(new byte[] { 1, 2 }, entry.ValueBytes);
        Assert.Throws<InvalidOperationException>(() => entry.Value);
    }

    [Fact]
    public void Text_values_must_be_printable_ascii()
    {
        Assert.Throws<ArgumentException>(() => new Metadata.Entry("x-name", "Zürich"));
        Assert.Throws<ArgumentException>(() => new Metadata.Entry("x-name", "a\nb"));
    }

    [Fact]
    public void Get_returns_the_last_entry_and_GetAll_every_one()
    {
        var metadata = new Metadata { { "x-a", "1" }, { "x-b", "2" }, { "x-a", "3" } };
        Assert.Equal("3", metadata.GetValue("x-a"));
        Assert.Equal(["1", "3"], metadata.GetAll("x-a").Select(e => e.Value));
        Assert.Null(metadata.Get("x-missing"));
    }

    [Fact]
    public void Empty_is_read_only()
    {
        Assert.True(Metadata.Empty.IsReadOnly);
        Assert.Throws<InvalidOperationException>(() => Metadata.Empty.Add("x-a", "1"));
    }

    [Fact]
    public void Status_and_exception_carry_code_detail_and_trailers()
    {
        var trailers = new Metadata { { "x-why", "because" } };
        var ex = new RpcException(new Status(StatusCode.NotFound, "team 7 not found"), trailers);
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.Equal("team 7 not found", ex.Status.Detail);
        Assert.Same(trailers, ex.Trailers);
        Assert.Contains("NotFound", ex.Message);
    }
}
