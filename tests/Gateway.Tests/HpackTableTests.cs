using System.Buffers;
using System.Globalization;
using System.Text;
using Wsis.Gateway.Relay;
using Xunit;

namespace Wsis.Gateway.Tests;

/// <summary>The relay's HPACK work on its hot path: the encoder with a dynamic table (requests to a
/// destination, checked against libnghttp2's decoder and ours), the decoder's reuse of literal
/// strings, and the check of blocks from a peer without a table (responses passed on as they are).</summary>
public sealed class HpackTableTests
{
    private static readonly (string Name, string Value)[] UnaryCall =
    [
        (":method", "POST"), (":scheme", "http"), (":authority", "gateway.example:8443"),
        (":path", "/wsis.consultations.v1.Consultations/GetConsultation"),
        ("content-type", "application/grpc"), ("te", "trailers"), ("user-agent", "grpc-dotnet/2.70.0"),
        ("grpc-accept-encoding", "identity,gzip"), ("x-forwarded-for", "192.0.2.7"), ("x-gateway-hops", "1"),
    ];

    // ---- The encoder with a table ----

    [Fact]
    public void A_repeated_call_costs_one_octet_per_field()
    {
        var encoder = new HpackTableEncoder();
        var first = Encode(encoder, UnaryCall);
        var second = Encode(encoder, UnaryCall);
        Assert.Equal(UnaryCall.Length, second.Length);
        Assert.True(first.Length > 100, $"first block {first.Length} octets");
        Assert.All(second, octet => Assert.True(octet >= 0x80, "an indexed field"));

        // Both decode, in order, to the fields given.
        var decoder = new HpackDecoder();
        AssertFields(decoder, first, UnaryCall);
        AssertFields(decoder, second, UnaryCall);
    }

    [Fact]
    public void Credentials_and_per_call_fields_stay_out_of_the_table()
    {
        var encoder = new HpackTableEncoder();
        (string, string)[] fields =
        [
            ("authorization", "Bearer abc"), ("cookie", "a=b"), ("proxy-authorization", "Basic x"),
            ("grpc-timeout", "99m"), ("content-length", "105"),
        ];
        var first = Encode(encoder, fields);
        var second = Encode(encoder, fields);
        Assert.Equal(first, second);
        Assert.Equal(0, encoder.TableSize);
        Assert.Equal(Ngh(first), Ngh(second));
        var decoded = Nghttp2Inflate(first);
        Assert.Equal([true, true, true, false, false], decoded.Select(f => f.NeverIndexed));
    }

    [Fact]
    public void A_field_larger_than_a_quarter_of_the_table_is_not_indexed()
    {
        var encoder = new HpackTableEncoder();
        var large = ("x-large", new string('v', 1024));
        Encode(encoder, large);
        Assert.Equal(0, encoder.TableSize);
        var small = ("x-small", new string('v', 100));
        Encode(encoder, small);
        Assert.Equal(7 + 100 + 32, encoder.TableSize);
    }

    [Fact]
    public void A_smaller_table_is_announced_first_and_entries_evicted()
    {
        var encoder = new HpackTableEncoder();
        Encode(encoder, UnaryCall);
        Assert.True(encoder.TableSize > 100);
        encoder.SetMaxTableSize(100);
        Assert.True(encoder.TableSize <= 100, $"{encoder.TableSize} octets kept");
        var block = Encode(encoder, ("x-a", "1"));
        // Size update to 100 (5-bit prefix: 31 + 69), then the field.
        Assert.Equal(new byte[] { 0x3F, 0x45 }, block[..2]);
        encoder.SetMaxTableSize(0);
        Assert.Equal(0, encoder.TableSize);
        block = Encode(encoder, UnaryCall);
        Assert.Equal(0x20, block[0]);
        Assert.Equal(0, encoder.TableSize);
        Assert.Equal(block[1..], Encode(encoder, UnaryCall));
        // The same size again needs no announcement.
        encoder.SetMaxTableSize(0);
        Assert.NotEqual(0x20, Encode(encoder, ("x-a", "1"))[0]);
    }

    [Fact]
    public void Blocks_of_a_long_connection_decode_in_nghttp2_and_ours_through_evictions_and_resizes()
    {
        var random = new Random(7542);
        for (var connection = 0; connection < 10; connection++)
        {
            var encoder = new HpackTableEncoder();
            var decoder = new HpackDecoder(maxHeaderListSize: int.MaxValue);
            Assert.Equal(0, HpackTests.Nghttp2.nghttp2_hd_inflate_new(out var inflater));
            try
            {
                var seen = new List<(string Name, string Value)>();
                for (var block = 0; block < 150; block++)
                {
                    if (random.Next(20) == 0)
                    {
                        // SETTINGS_HEADER_TABLE_SIZE from the peer: its decoder takes at most this.
                        var size = random.Next(4) == 0 ? 0 : random.Next(50, 4097);
                        encoder.SetMaxTableSize(size);
                        Assert.Equal(0, HpackTests.Nghttp2.nghttp2_hd_inflate_change_table_size(inflater, (nuint)size));
                    }
                    var fields = HpackTests.RandomFields(random, octetNamesOnly: false);
                    for (var i = 0; i < fields.Count; i++)
                    {
                        if (seen.Count > 0 && random.Next(2) == 0)
                        {
                            fields[i] = seen[random.Next(seen.Count)];
                        }
                    }
                    seen.AddRange(fields);
                    var encoded = Encode(encoder, [.. fields]);
                    Assert.True(encoder.TableSize <= 4096);
                    var inflated = HpackTests.Nghttp2.Inflate(inflater, encoded);
                    Assert.Equal(fields, inflated.Select(f => (f.Name, f.Value)));
                    AssertFields(decoder, encoded, [.. fields]);
                }
            }
            finally
            {
                HpackTests.Nghttp2.nghttp2_hd_inflate_del(inflater);
            }
        }
    }

    [Fact]
    public void Chars_above_0xff_are_refused_and_nothing_is_indexed()
    {
        var encoder = new HpackTableEncoder();
        var output = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentException>(() => encoder.Encode("x-name", "caf\u0100", output));
        Assert.Throws<ArgumentException>(() => encoder.Encode("x-\u0100", "v", output));
        Assert.Equal(0, encoder.TableSize);
        Assert.Equal(0, output.WrittenCount);
    }

    // ---- The decoder's literal strings ----

    [Fact]
    public void A_literal_sent_call_after_call_is_decoded_once()
    {
        var decoder = new HpackDecoder();
        // :path and content-length as literals without indexing, Huffman-coded as nghttp2 sends them.
        var block = Concat(
            HpackTests.Bytes("04"), HuffmanString("/wsis.teams.v1.Teams/ListTeams"),
            HpackTests.Bytes("0f0d"), HuffmanString("105"),
            HpackTests.Bytes("0002"), Encoding.Latin1.GetBytes("te"), HpackTests.Bytes("08"), Encoding.Latin1.GetBytes("trailers"));
        var first = Decode(decoder, block);
        var second = Decode(decoder, block);
        Assert.Equal(
            [(":path", "/wsis.teams.v1.Teams/ListTeams"), ("content-length", "105"), ("te", "trailers")],
            second.Select(f => (f.Key, f.Value)));
        for (var i = 0; i < first.Count; i++)
        {
            Assert.Same(first[i].Key, second[i].Key);
            Assert.Same(first[i].Value, second[i].Value);
        }
    }

    [Fact]
    public void Equal_octets_as_a_name_and_as_a_value_or_raw_and_huffman_decode_apart()
    {
        var decoder = new HpackDecoder();
        // "content-type" first as a value, then as a literal name: the name is the static table's instance.
        var asValue = Concat(HpackTests.Bytes("0003"), Encoding.Latin1.GetBytes("x-a"), HpackTests.Bytes("0c"), Encoding.Latin1.GetBytes("content-type"));
        var asName = Concat(HpackTests.Bytes("000c"), Encoding.Latin1.GetBytes("content-type"), HpackTests.Bytes("01"), Encoding.Latin1.GetBytes("v"));
        Assert.Equal("content-type", Decode(decoder, asValue)[0].Value);
        Assert.Same(HpackStaticTable.Names[31], Decode(decoder, asName)[0].Key);
        // The raw octets of one string may be the Huffman code of another.
        var huffman = HuffmanString("abc");
        var raw = huffman[1..];
        var rawBlock = Concat(HpackTests.Bytes("0003"), Encoding.Latin1.GetBytes("x-b"), [(byte)raw.Length], raw);
        var huffmanBlock = Concat(HpackTests.Bytes("0003"), Encoding.Latin1.GetBytes("x-b"), huffman);
        Assert.Equal("abc", Decode(decoder, huffmanBlock)[0].Value);
        Assert.Equal(Encoding.Latin1.GetString(raw), Decode(decoder, rawBlock)[0].Value);
        Assert.Equal("abc", Decode(decoder, huffmanBlock)[0].Value);
    }

    [Fact]
    public void Many_distinct_literals_decode_right_however_they_share_the_cache()
    {
        var random = new Random(1);
        var decoder = new HpackDecoder(maxHeaderListSize: int.MaxValue);
        var values = Enumerable.Range(0, 500).Select(i => "v" + i.ToString(CultureInfo.InvariantCulture) + new string('x', random.Next(0, 300))).ToArray();
        for (var round = 0; round < 3; round++)
        {
            foreach (var value in values.OrderBy(_ => random.Next()))
            {
                var block = new ArrayBufferWriter<byte>();
                HpackEncoder.Encode("x-v", value, block);
                Assert.Equal(value, Decode(decoder, block.WrittenSpan.ToArray())[0].Value);
            }
        }
    }

    // ---- Blocks from a peer without a table ----

    [Theory]
    [InlineData("88", 200)]
    [InlineData("8d", 404)]
    [InlineData("20 88", 200)]
    [InlineData("0803 353033", 503)]
    [InlineData("4803 313030", 100)]
    [InlineData("1803 323031", 201)]
    [InlineData("0802 3230", 0)]
    [InlineData("0803 3230 78", 0)]
    [InlineData("5f10 6170706c69636174696f6e2f67727063", 0)]
    [InlineData("", 0)]
    [InlineData("5f10 6170706c69636174696f6e2f67727063 88", 0)]
    public void The_status_of_a_block_without_a_table_is_read_without_decoding(string hex, int status)
    {
        Assert.Equal(status, new HpackDecoder(maxTableSize: 0).CheckWithoutTable(HpackTests.Bytes(hex)));
    }

    [Theory]
    [InlineData("21", "size update to 1")]
    [InlineData("c0", "index 64: there is no dynamic table")]
    [InlineData("be", "index 62")]
    [InlineData("7e01 61", "name index 62, literal with indexing")]
    [InlineData("88 20", "size update after a field")]
    public void References_to_a_table_are_compression_errors(string hex, string what)
    {
        var exception = Assert.Throws<HpackException>(() => new HpackDecoder(maxTableSize: 0).CheckWithoutTable(HpackTests.Bytes(hex)));
        Assert.False(exception.ListTooLarge, what);
    }

    [Fact]
    public void A_block_without_a_table_over_the_limit_is_a_stream_error_unless_also_malformed()
    {
        var decoder = new HpackDecoder(maxTableSize: 0, maxHeaderListSize: 100);
        var fields = Concat(HpackTests.Bytes("88"), HpackTests.Bytes("0003"), Encoding.Latin1.GetBytes("x-a"), [60], Encoding.Latin1.GetBytes(new string('a', 60)));
        var exception = Assert.Throws<HpackException>(() => decoder.CheckWithoutTable(fields));
        Assert.True(exception.ListTooLarge);
        exception = Assert.Throws<HpackException>(() => decoder.CheckWithoutTable(Concat(fields, HpackTests.Bytes("be"))));
        Assert.False(exception.ListTooLarge);
        exception = Assert.Throws<HpackException>(() => decoder.CheckWithoutTable(Concat(fields, HpackTests.Bytes("0001 6184 ffff ffff"))));
        Assert.False(exception.ListTooLarge);
    }

    [Fact]
    public void Blocks_nghttp2_encodes_for_a_table_of_size_0_pass_the_check_as_they_decode()
    {
        var random = new Random(7543);
        Assert.Equal(0, HpackTests.Nghttp2.nghttp2_hd_deflate_new(out var deflater, 4096));
        try
        {
            Assert.Equal(0, HpackTests.Nghttp2.nghttp2_hd_deflate_change_table_size(deflater, 0));
            var decoder = new HpackDecoder(maxTableSize: 0, maxHeaderListSize: int.MaxValue);
            for (var block = 0; block < 300; block++)
            {
                var fields = HpackTests.RandomFields(random, octetNamesOnly: false);
                if (random.Next(2) == 0)
                {
                    fields.Insert(0, (":status", random.Next(100, 600).ToString(CultureInfo.InvariantCulture)));
                }
                var encoded = HpackTests.Nghttp2.Deflate(deflater, fields, fields.Select(_ => false).ToArray());
                var decoded = new List<KeyValuePair<string, string>>();
                decoder.Decode(encoded, decoded);
                Assert.Equal(fields, decoded.Select(f => (f.Key, f.Value)));
                var expected = fields.Count > 0 && fields[0].Name == ":status" && fields[0].Value.Length == 3 && fields[0].Value.All(char.IsAsciiDigit)
                    ? int.Parse(fields[0].Value, CultureInfo.InvariantCulture)
                    : 0;
                Assert.Equal(expected, decoder.CheckWithoutTable(encoded));
            }
        }
        finally
        {
            HpackTests.Nghttp2.nghttp2_hd_deflate_del(deflater);
        }
    }

    // ---- Helpers ----

    private static byte[] Encode(HpackTableEncoder encoder, params (string Name, string Value)[] fields)
    {
        var output = new ArrayBufferWriter<byte>();
        encoder.BeginBlock(output);
        foreach (var (name, value) in fields)
        {
            encoder.Encode(name, value, output);
        }
        return output.WrittenSpan.ToArray();
    }

    private static List<KeyValuePair<string, string>> Decode(HpackDecoder decoder, byte[] block)
    {
        var fields = new List<KeyValuePair<string, string>>();
        decoder.Decode(block, fields);
        return fields;
    }

    private static void AssertFields(HpackDecoder decoder, byte[] block, (string Name, string Value)[] expected) =>
        Assert.Equal(expected, Decode(decoder, block).Select(f => (f.Key, f.Value)));

    private static List<(string Name, string Value, bool NeverIndexed)> Nghttp2Inflate(byte[] block)
    {
        Assert.Equal(0, HpackTests.Nghttp2.nghttp2_hd_inflate_new(out var inflater));
        try
        {
            return HpackTests.Nghttp2.Inflate(inflater, block);
        }
        finally
        {
            HpackTests.Nghttp2.nghttp2_hd_inflate_del(inflater);
        }
    }

    private static string Ngh(byte[] block) => string.Join("\n", Nghttp2Inflate(block));

    /// <summary>A Huffman-coded string literal (length prefix included) from nghttp2's encoder.</summary>
    private static byte[] HuffmanString(string value)
    {
        Assert.Equal(0, HpackTests.Nghttp2.nghttp2_hd_deflate_new(out var deflater, 0));
        try
        {
            // nghttp2 never indexes :path and codes it with Huffman when that is shorter: a literal
            // with name index 4 (one octet) followed by the string.
            var block = HpackTests.Nghttp2.Deflate(deflater, [(":path", value)], [false]);
            if (block[0] == 0x20)
            {
                block = block[1..]; // its size update to 0
            }
            Assert.Equal(0x04, block[0]);
            Assert.True((block[1] & 0x80) != 0, "Huffman-coded");
            return block[1..];
        }
        finally
        {
            HpackTests.Nghttp2.nghttp2_hd_deflate_del(deflater);
        }
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];
}
