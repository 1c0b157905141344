using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Wsis.Gateway.Relay;
using Xunit;

namespace Wsis.Gateway.Tests;

/// <summary>The relay's HPACK codec: RFC 7541 Appendix C, the malformed blocks a decoder must refuse,
/// and both directions against libnghttp2, a peer that uses Huffman and its dynamic table.</summary>
public sealed class HpackTests
{
    // ---- RFC 7541 Appendix C.2: one representation each ----

    [Fact]
    public void C2_1_literal_with_indexing_is_added_to_the_table()
    {
        var decoder = new HpackDecoder();
        AssertFields(Decode(decoder, "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"),
            ("custom-key", "custom-header"));
        AssertTable(decoder, ("custom-key", "custom-header"));
    }

    [Fact]
    public void C2_2_literal_without_indexing_leaves_the_table_empty()
    {
        var decoder = new HpackDecoder();
        AssertFields(Decode(decoder, "040c 2f73 616d 706c 652f 7061 7468"), (":path", "/sample/path"));
        AssertTable(decoder);
    }

    [Fact]
    public void C2_3_literal_never_indexed_leaves_the_table_empty()
    {
        var decoder = new HpackDecoder();
        AssertFields(Decode(decoder, "1008 7061 7373 776f 7264 0673 6563 7265 74"), ("password", "secret"));
        AssertTable(decoder);
    }

    [Fact]
    public void C2_4_indexed_field_returns_the_static_table_instances()
    {
        var decoder = new HpackDecoder();
        var fields = Decode(decoder, "82");
        AssertFields(fields, (":method", "GET"));
        Assert.Same(HpackStaticTable.Names[2], fields[0].Key);
        Assert.Same(HpackStaticTable.Values[2], fields[0].Value);
        AssertTable(decoder);
    }

    // ---- C.3 / C.4: requests on one connection, without and with Huffman ----

    [Fact]
    public void C3_requests_without_huffman() => Requests(
        "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
        "8286 84be 5808 6e6f 2d63 6163 6865",
        "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65");

    [Fact]
    public void C4_requests_with_huffman() => Requests(
        "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
        "8286 84be 5886 a8eb 1064 9cbf",
        "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf");

    private static void Requests(string first, string second, string third)
    {
        var decoder = new HpackDecoder();
        AssertFields(Decode(decoder, first),
            (":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com"));
        AssertTable(decoder, (":authority", "www.example.com"));

        AssertFields(Decode(decoder, second),
            (":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com"), ("cache-control", "no-cache"));
        AssertTable(decoder, ("cache-control", "no-cache"), (":authority", "www.example.com"));

        AssertFields(Decode(decoder, third),
            (":method", "GET"), (":scheme", "https"), (":path", "/index.html"), (":authority", "www.example.com"), ("custom-key", "custom-value"));
        AssertTable(decoder, ("custom-key", "custom-value"), ("cache-control", "no-cache"), (":authority", "www.example.com"));
    }

    // ---- C.5 / C.6: responses with a 256-octet table, so entries are evicted ----

    [Fact]
    public void C5_responses_without_huffman_evict() => Responses(
        """
        4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133
        2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70
        6c65 2e63 6f6d
        """,
        "4803 3330 37c1 c0bf",
        """
        88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d
        54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049
        5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e
        3d31
        """);

    [Fact]
    public void C6_responses_with_huffman_evict() => Responses(
        """
        4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6
        2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3
        """,
        "4883 640e ffc1 c0bf",
        """
        88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab
        77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f
        9587 3160 65c0 03ed 4ee5 b106 3d50 07
        """);

    private static void Responses(string first, string second, string third)
    {
        const string date21 = "Mon, 21 Oct 2013 20:13:21 GMT";
        const string date22 = "Mon, 21 Oct 2013 20:13:22 GMT";
        const string location = "https://www.example.com";
        const string cookie = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";
        var decoder = new HpackDecoder(maxTableSize: 256);

        AssertFields(Decode(decoder, first),
            (":status", "302"), ("cache-control", "private"), ("date", date21), ("location", location));
        AssertTable(decoder, ("location", location), ("date", date21), ("cache-control", "private"), (":status", "302"));

        AssertFields(Decode(decoder, second),
            (":status", "307"), ("cache-control", "private"), ("date", date21), ("location", location));
        AssertTable(decoder, (":status", "307"), ("location", location), ("date", date21), ("cache-control", "private"));

        AssertFields(Decode(decoder, third),
            (":status", "200"), ("cache-control", "private"), ("date", date22), ("location", location),
            ("content-encoding", "gzip"), ("set-cookie", cookie));
        AssertTable(decoder, ("set-cookie", cookie), ("content-encoding", "gzip"), ("date", date22));
    }

    // ---- Dynamic table ----

    [Fact]
    public void Fields_from_the_dynamic_table_are_the_stored_instances()
    {
        var decoder = new HpackDecoder();
        var added = Decode(decoder, "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572")[0];
        var indexed = Decode(decoder, "be")[0];
        Assert.Same(added.Key, indexed.Key);
        Assert.Same(added.Value, indexed.Value);
    }

    [Fact]
    public void A_literal_name_found_in_the_static_table_is_its_instance()
    {
        var fields = Decode(new HpackDecoder(), "000c 636f 6e74 656e 742d 7479 7065 0161");
        AssertFields(fields, ("content-type", "a"));
        Assert.Same(HpackStaticTable.Names[31], fields[0].Key);
    }

    [Fact]
    public void An_entry_may_take_its_name_from_the_entry_it_evicts()
    {
        // Room for one 34-octet entry: adding (a, c) with the name of (a, b) evicts (a, b) first.
        var decoder = new HpackDecoder(maxTableSize: 64);
        Decode(decoder, "4001 6101 62");
        AssertFields(Decode(decoder, "7e01 63"), ("a", "c"));
        AssertTable(decoder, ("a", "c"));
    }

    [Fact]
    public void An_entry_larger_than_the_table_empties_it_and_is_not_added()
    {
        var decoder = new HpackDecoder(maxTableSize: 64);
        Decode(decoder, "4001 6101 62");
        var big = new string('v', 40);
        AssertFields(Decode(decoder, "4001 7828" + Hex(big)), ("x", big));
        AssertTable(decoder);
    }

    [Fact]
    public void Size_updates_at_the_start_of_a_block_resize_the_table()
    {
        var decoder = new HpackDecoder();
        Decode(decoder, "4001 6101 62 4001 6301 64");
        AssertTable(decoder, ("c", "d"), ("a", "b"));
        // To 34 (one entry), then a field: the older entry is gone.
        AssertFields(Decode(decoder, "3f03 82"), (":method", "GET"));
        AssertTable(decoder, ("c", "d"));
        // Two updates: 0 empties the table, then back to 4096 (the maximum, allowed).
        Decode(decoder, "20 3fe1 1f 4001 6501 66");
        AssertTable(decoder, ("e", "f"));
    }

    [Fact]
    public void The_ring_buffer_matches_a_simple_model_through_growth_and_wraparound()
    {
        var random = new Random(41);
        var decoder = new HpackDecoder(maxTableSize: 2000);
        var model = new List<(string Name, string Value)>();
        for (var round = 0; round < 2000; round++)
        {
            var output = new ArrayBufferWriter<byte>();
            var name = "n" + random.Next(1000).ToString(CultureInfo.InvariantCulture);
            var value = new string('v', random.Next(0, round % 7 == 0 ? 150 : 30));
            // Literal with incremental indexing, literal name.
            output.Write<byte>([0x40]);
            WriteRawString(output, name);
            WriteRawString(output, value);
            model.Insert(0, (name, value));
            var size = 0;
            for (var i = 0; i < model.Count; i++)
            {
                size += model[i].Name.Length + model[i].Value.Length + 32;
                if (size > 2000)
                {
                    model.RemoveRange(i, model.Count - i);
                    break;
                }
            }
            if (round % 50 == 49)
            {
                output.Write<byte>([0x82]);
            }
            Decode(decoder, output.WrittenSpan.ToArray());
            var probe = random.Next(1, model.Count + 1);
            AssertFields(Decode(decoder, Indexed(61 + probe)), model[probe - 1]);
            Assert.Throws<HpackException>(() => Decode(decoder, Indexed(62 + model.Count)));
        }
    }

    // ---- Malformed blocks ----

    [Theory]
    [InlineData("80", "index 0")]
    [InlineData("be", "index beyond the (empty) dynamic table")]
    [InlineData("ff00", "index 127")]
    [InlineData("0f2f 0161", "name index 62, literal without indexing")]
    [InlineData("7f00 0161", "name index 63, literal with indexing")]
    [InlineData("3fe2 1f", "size update to 4097")]
    [InlineData("8220", "size update after a field")]
    [InlineData("ff", "truncated integer: prefix full, no continuation")]
    [InlineData("ff80", "truncated integer: continuation bit set at the end")]
    [InlineData("ffff ffff ffff 00", "integer with 6 continuation octets")]
    [InlineData("ffff ffff ff0f", "integer above int.MaxValue")]
    [InlineData("0005 6162", "string length past the end")]
    [InlineData("00", "missing name string")]
    [InlineData("0001 61", "missing value string")]
    [InlineData("0001 6184 ffff ffff", "Huffman: EOS")]
    [InlineData("0001 6185 1fff ffff ff", "Huffman: 'a' then EOS")]
    [InlineData("0001 6182 1fff", "Huffman: 11 bits of padding")]
    [InlineData("0001 6181 ff", "Huffman: 8 bits of padding")]
    [InlineData("0001 6181 18", "Huffman: padding of zeros")]
    [InlineData("0001 6181 1d", "Huffman: padding not all ones")]
    public void Malformed_blocks_are_compression_errors(string hex, string what)
    {
        var exception = Assert.Throws<HpackException>(() => Decode(new HpackDecoder(), hex));
        Assert.False(exception.ListTooLarge, what);
        // Also when checked without decoding (a peer told to keep no table).
        exception = Assert.Throws<HpackException>(() => new HpackDecoder(maxTableSize: 0).CheckWithoutTable(Bytes(hex)));
        Assert.False(exception.ListTooLarge, what);
    }

    [Theory]
    [InlineData("3fe1 1f", "size update to 4096")]
    [InlineData("0001 6181 1f", "Huffman 'a' with 3 bits of padding")]
    [InlineData("0001 6180", "empty Huffman string")]
    [InlineData("0001 6100", "empty raw string")]
    [InlineData("0f80 8080 0000", "name index 15 with redundant continuation octets")]
    public void Well_formed_edge_cases_decode(string hex, string what)
    {
        var fields = Decode(new HpackDecoder(), hex);
        Assert.True(fields.Count <= 1, what);
    }

    [Fact]
    public void A_header_list_over_the_limit_is_decoded_whole_and_keeps_the_table_in_sync()
    {
        // Each field: 2 + 60 + 32 = 94 octets; the limit takes two.
        var decoder = new HpackDecoder(maxHeaderListSize: 200);
        var values = new[] { new string('a', 60), new string('b', 60), new string('c', 60), "d-value" };
        var block = new ArrayBufferWriter<byte>();
        for (var i = 0; i < 3; i++)
        {
            block.Write<byte>([0x40]);
            WriteRawString(block, "f" + i.ToString(CultureInfo.InvariantCulture));
            WriteRawString(block, values[i]);
        }
        // Past the limit: a field not indexed, then a Huffman-coded one that is.
        block.Write(Bytes("0001 7801 79"));
        block.Write(Bytes("4001 6681 1f"));
        var headers = new List<KeyValuePair<string, string>>();
        var bytes = block.WrittenSpan.ToArray();
        var exception = Assert.Throws<HpackException>(() => decoder.Decode(bytes, headers));
        Assert.True(exception.ListTooLarge);
        AssertFields(headers, ("f0", values[0]), ("f1", values[1]));

        AssertFields(Decode(decoder, "be bf"), ("f", "a"), ("f2", values[2]));
        AssertFields(Decode(decoder, "c0 c1"), ("f1", values[1]), ("f0", values[0]));
    }

    [Fact]
    public void A_malformed_block_over_the_limit_is_a_compression_error()
    {
        var decoder = new HpackDecoder(maxHeaderListSize: 40);
        var exception = Assert.Throws<HpackException>(() => Decode(decoder, "0001 6108" + Hex("12345678") + "80"));
        Assert.False(exception.ListTooLarge);
    }

    // ---- Huffman ----

    [Fact]
    public void The_huffman_table_is_the_canonical_code_of_appendix_b()
    {
        // A canonical code is fixed by its lengths: sorted by (length, symbol), each code is the
        // previous plus one, shifted to the new length. A mistyped code or length breaks the chain.
        var symbols = Enumerable.Range(0, 257).OrderBy(s => HpackHuffman.Lengths[s]).ThenBy(s => s).ToArray();
        ulong code = 0;
        for (var i = 0; i < symbols.Length; i++)
        {
            if (i > 0)
            {
                code = (code + 1) << (HpackHuffman.Lengths[symbols[i]] - HpackHuffman.Lengths[symbols[i - 1]]);
            }
            Assert.Equal(code, HpackHuffman.Codes[symbols[i]]);
        }
        Assert.Equal(0x3fffffffu, HpackHuffman.Codes[256]);
        Assert.Equal(30, HpackHuffman.Lengths[256]);
    }

    [Fact]
    public void Every_octet_round_trips_through_huffman()
    {
        var all = new byte[256];
        for (var b = 0; b < 256; b++)
        {
            all[b] = (byte)b;
            AssertHuffmanRoundTrip([(byte)b]);
            AssertHuffmanRoundTrip([(byte)b, (byte)b, (byte)(255 - b)]);
        }
        AssertHuffmanRoundTrip(all);
        Array.Reverse(all);
        AssertHuffmanRoundTrip(all);
        var random = new Random(7541);
        for (var i = 0; i < 500; i++)
        {
            var octets = new byte[random.Next(0, 300)];
            random.NextBytes(octets);
            AssertHuffmanRoundTrip(octets);
        }
    }

    private static void AssertHuffmanRoundTrip(byte[] octets)
    {
        var encoded = HuffmanEncode(octets);
        var decoded = new byte[HpackHuffman.MaxDecodedLength(encoded.Length)];
        var length = HpackHuffman.Decode(encoded, decoded);
        Assert.Equal(octets, decoded[..length]);

        // And as a field value through the decoder.
        var block = new ArrayBufferWriter<byte>();
        block.Write(Bytes("0001 61"));
        WriteInteger(block, encoded.Length, 7, 0x80);
        block.Write(encoded);
        AssertFields(Decode(new HpackDecoder(), block.WrittenSpan.ToArray()), ("a", Encoding.Latin1.GetString(octets)));
    }

    // ---- Encoder ----

    [Fact]
    public void A_full_static_match_is_one_indexed_octet()
    {
        Assert.Equal(Bytes("83"), Encode((":method", "POST")));
        Assert.Equal(Bytes("82"), Encode((":method", "GET")));
        Assert.Equal(Bytes("88"), Encode((":status", "200")));
        Assert.Equal(Bytes("8e"), Encode((":status", "500")));
        Assert.Equal(Bytes("90"), Encode(("accept-encoding", "gzip, deflate")));
        Assert.Equal(Bytes("bd"), Encode(("www-authenticate", "")));
    }

    [Fact]
    public void A_static_name_is_indexed_with_a_literal_value_not_indexed()
    {
        Assert.Equal(Bytes("0f10 10" + Hex("application/grpc")), Encode(("content-type", "application/grpc")));
        Assert.Equal(Bytes("0803" + Hex("201")), Encode((":status", "201")));
        Assert.Equal(Bytes("0f2d 0268 69"), Encode(("via", "hi")));
    }

    [Fact]
    public void A_new_name_is_a_literal_not_indexed()
    {
        Assert.Equal(Bytes("000b" + Hex("grpc-status") + "0130"), Encode(("grpc-status", "0")));
        Assert.Equal(Bytes("0002 7465 00"), Encode(("te", "")));
    }

    [Fact]
    public void Credentials_are_never_indexed()
    {
        Assert.Equal(Bytes("1f08 08" + Hex("Bearer x")), Encode(("authorization", "Bearer x")));
        Assert.Equal(Bytes("1f11 03" + Hex("a=b")), Encode(("cookie", "a=b")));
        Assert.Equal(Bytes("1f22 01" + Hex("p")), Encode(("proxy-authorization", "p")));
        Assert.Equal(Bytes("100d" + Hex("Authorization") + "01" + Hex("x")), Encode(("Authorization", "x")));
        // Not a credential: plain literal.
        Assert.Equal(0x0f, Encode(("set-cookie", "a=b"))[0]);
    }

    [Fact]
    public void Lengths_past_the_prefix_take_continuation_octets()
    {
        var value = new string('x', 1337);
        var encoded = Encode(("x-long", value));
        // Name: 0x00, length 6; value length 1337 = 127 + 1210 = 7f ba 09.
        Assert.Equal(Bytes("0006" + Hex("x-long") + "7fba09"), encoded[..11]);
        Assert.Equal(11 + 1337, encoded.Length);
        AssertFields(Decode(new HpackDecoder(), encoded), ("x-long", value));
    }

    [Fact]
    public void Table_size_updates()
    {
        var output = new ArrayBufferWriter<byte>();
        HpackEncoder.EncodeTableSizeUpdate(0, output);
        HpackEncoder.EncodeTableSizeUpdate(30, output);
        HpackEncoder.EncodeTableSizeUpdate(31, output);
        HpackEncoder.EncodeTableSizeUpdate(4096, output);
        Assert.Equal(Bytes("20 3e 3f00 3fe1 1f"), output.WrittenSpan.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => HpackEncoder.EncodeTableSizeUpdate(-1, new ArrayBufferWriter<byte>()));
    }

    [Fact]
    public void Chars_above_0xff_are_refused_and_latin1_round_trips()
    {
        Assert.Throws<ArgumentException>(() => HpackEncoder.Encode("x-name", "caf\u00e9 \u20ac", new ArrayBufferWriter<byte>()));
        Assert.Throws<ArgumentException>(() => HpackEncoder.Encode("x-\u0100", "v", new ArrayBufferWriter<byte>()));
        Assert.Throws<ArgumentException>(() => HpackEncoder.Encode("content-type", "\u0100", new ArrayBufferWriter<byte>()));

        var octets = new char[256];
        for (var i = 0; i < 256; i++)
        {
            octets[i] = (char)i;
        }
        var value = new string(octets);
        var encoded = Encode(("x-octets", value), (":path", "/caf\u00e9\u00ff"));
        AssertFields(Decode(new HpackDecoder(), encoded), ("x-octets", value), (":path", "/caf\u00e9\u00ff"));
    }

    [Fact]
    public void Encoded_fields_decode_back()
    {
        var random = new Random(9);
        var decoder = new HpackDecoder(maxHeaderListSize: int.MaxValue);
        for (var round = 0; round < 200; round++)
        {
            var fields = RandomFields(random, octetNamesOnly: false);
            var output = new ArrayBufferWriter<byte>();
            if (round % 3 == 0)
            {
                HpackEncoder.EncodeTableSizeUpdate(0, output);
            }
            foreach (var (name, value) in fields)
            {
                HpackEncoder.Encode(name, value, output);
            }
            AssertFields(Decode(decoder, output.WrittenSpan.ToArray()), [.. fields]);
        }
    }

    // ---- libnghttp2 as the peer ----

    [Fact]
    public void Blocks_from_nghttp2_decode_to_the_fields_it_encoded()
    {
        var random = new Random(7540);
        for (var connection = 0; connection < 20; connection++)
        {
            Assert.Equal(0, Nghttp2.nghttp2_hd_deflate_new(out var deflater, 4096));
            try
            {
                var decoder = new HpackDecoder(maxHeaderListSize: int.MaxValue);
                var previous = new List<(string, string)>();
                for (var block = 0; block < 40; block++)
                {
                    if (random.Next(8) == 0)
                    {
                        // The deflater announces the change with size updates at the start of its next block.
                        Assert.Equal(0, Nghttp2.nghttp2_hd_deflate_change_table_size(deflater, (nuint)random.Next(0, 4097)));
                    }
                    var fields = RandomFields(random, octetNamesOnly: true);
                    for (var i = 0; i < fields.Count; i++)
                    {
                        if (previous.Count > 0 && random.Next(3) == 0)
                        {
                            fields[i] = previous[random.Next(previous.Count)];
                        }
                    }
                    previous.AddRange(fields);
                    var sensitive = fields.Select(_ => random.Next(6) == 0).ToArray();
                    var encoded = Nghttp2.Deflate(deflater, fields, sensitive);
                    AssertFields(Decode(decoder, encoded), [.. fields]);
                }
            }
            finally
            {
                Nghttp2.nghttp2_hd_deflate_del(deflater);
            }
        }
    }

    [Fact]
    public void Every_octet_in_an_nghttp2_huffman_string_decodes()
    {
        for (var b = 0; b < 256; b++)
        {
            Assert.Equal(0, Nghttp2.nghttp2_hd_deflate_new(out var deflater, 4096));
            try
            {
                var text = new string('a', 40);
                var value = text + (char)b + text;
                var name = "x-" + (char)b + "-name";
                var encoded = Nghttp2.Deflate(deflater, [("x", value), (name, text)], [false, false]);
                // 0x40, then the name "x" raw (01 78), then the value: the H bit says nghttp2 chose Huffman.
                Assert.Equal(0x40, encoded[0]);
                Assert.True((encoded[3] & 0x80) != 0, $"value with {b} not Huffman-coded");
                AssertFields(Decode(new HpackDecoder(), encoded), ("x", value), (name, text));
            }
            finally
            {
                Nghttp2.nghttp2_hd_deflate_del(deflater);
            }
        }
    }

    [Fact]
    public void Our_blocks_decode_in_nghttp2_to_the_fields_given()
    {
        var random = new Random(7541);
        Assert.Equal(0, Nghttp2.nghttp2_hd_inflate_new(out var inflater));
        try
        {
            for (var block = 0; block < 300; block++)
            {
                var fields = RandomFields(random, octetNamesOnly: false);
                var output = new ArrayBufferWriter<byte>();
                if (block % 5 == 0)
                {
                    HpackEncoder.EncodeTableSizeUpdate(0, output);
                }
                foreach (var (name, value) in fields)
                {
                    HpackEncoder.Encode(name, value, output);
                }
                var inflated = Nghttp2.Inflate(inflater, output.WrittenSpan.ToArray());
                Assert.Equal(fields.Count, inflated.Count);
                for (var i = 0; i < fields.Count; i++)
                {
                    Assert.Equal(fields[i], (inflated[i].Name, inflated[i].Value));
                    var credential = fields[i].Name is "authorization" or "cookie" or "proxy-authorization";
                    var staticMatch = HpackStaticTable.Find(fields[i].Name, fields[i].Value, out var full) > 0 && full;
                    Assert.Equal(credential && !staticMatch, inflated[i].NeverIndexed);
                }
            }
        }
        finally
        {
            Nghttp2.nghttp2_hd_inflate_del(inflater);
        }
    }

    /// <summary>Header lists mixing static-table fields, credentials and random octets (values over
    /// all 256; other names random octets, or with <paramref name="octetNamesOnly"/> off half "x-N").</summary>
    internal static List<(string Name, string Value)> RandomFields(Random random, bool octetNamesOnly)
    {
        var fields = new List<(string, string)>();
        var count = random.Next(0, 16);
        for (var i = 0; i < count; i++)
        {
            var index = random.Next(1, HpackStaticTable.Count + 1);
            switch (random.Next(6))
            {
                case 0:
                    fields.Add((HpackStaticTable.Names[index], HpackStaticTable.Values[index]));
                    break;
                case 1:
                    fields.Add((HpackStaticTable.Names[index], RandomOctets(random, random.Next(0, 40))));
                    break;
                case 2:
                    fields.Add((random.Next(3) switch { 0 => "authorization", 1 => "cookie", _ => "proxy-authorization" }, RandomOctets(random, random.Next(0, 60))));
                    break;
                case 3:
                    fields.Add(("grpc-status", random.Next(17).ToString(CultureInfo.InvariantCulture)));
                    break;
                default:
                    var name = octetNamesOnly || random.Next(2) == 0
                        ? RandomOctets(random, random.Next(1, 24))
                        : "x-" + random.Next(100).ToString(CultureInfo.InvariantCulture);
                    var length = random.Next(10) == 0 ? random.Next(100, 3000) : random.Next(0, 80);
                    fields.Add((name, RandomOctets(random, length)));
                    break;
            }
        }
        return fields;
    }

    /// <summary>Any octets, or mostly text with a few arbitrary octets: the kind a peer Huffman-codes.</summary>
    private static string RandomOctets(Random random, int length)
    {
        var octets = new byte[length];
        random.NextBytes(octets);
        if (random.Next(2) == 0)
        {
            for (var i = 0; i < octets.Length; i++)
            {
                if (random.Next(20) != 0)
                {
                    octets[i] = (byte)"abcdefghijklmnopqrstuvwxyz0123456789-/=;, "[random.Next(42)];
                }
            }
        }
        return Encoding.Latin1.GetString(octets);
    }

    // ---- Helpers ----

    private static void AssertTable(HpackDecoder decoder, params (string Name, string Value)[] entries)
    {
        if (entries.Length > 0)
        {
            var block = new ArrayBufferWriter<byte>();
            for (var i = 0; i < entries.Length; i++)
            {
                WriteInteger(block, 62 + i, 7, 0x80);
            }
            AssertFields(Decode(decoder, block.WrittenSpan.ToArray()), entries);
        }
        Assert.Throws<HpackException>(() => Decode(decoder, Indexed(62 + entries.Length)));
    }

    private static void AssertFields(List<KeyValuePair<string, string>> actual, params (string Name, string Value)[] expected)
    {
        Assert.Equal(expected.Select(f => $"{f.Name}: {f.Value}"), actual.Select(f => $"{f.Key}: {f.Value}"));
    }

    private static List<KeyValuePair<string, string>> Decode(HpackDecoder decoder, string hex) => Decode(decoder, Bytes(hex));

    private static List<KeyValuePair<string, string>> Decode(HpackDecoder decoder, byte[] block)
    {
        var headers = new List<KeyValuePair<string, string>>();
        decoder.Decode(block, headers);
        return headers;
    }


    private static byte[] Encode(params (string Name, string Value)[] fields)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var (name, value) in fields)
        {
            HpackEncoder.Encode(name, value, output);
        }
        return output.WrittenSpan.ToArray();
    }

    private static byte[] Indexed(int index)
    {
        var output = new ArrayBufferWriter<byte>();
        WriteInteger(output, index, 7, 0x80);
        return output.WrittenSpan.ToArray();
    }

    internal static byte[] Bytes(string hex) =>
        Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal));

    private static string Hex(string latin1) => Convert.ToHexString(Encoding.Latin1.GetBytes(latin1));

    private static void WriteRawString(ArrayBufferWriter<byte> output, string value)
    {
        WriteInteger(output, value.Length, 7, 0x00);
        output.Write(Encoding.Latin1.GetBytes(value));
    }

    private static void WriteInteger(ArrayBufferWriter<byte> output, int value, int prefixBits, byte pattern)
    {
        var max = (1 << prefixBits) - 1;
        if (value < max)
        {
            output.Write<byte>([(byte)(pattern | value)]);
            return;
        }
        output.Write<byte>([(byte)(pattern | max)]);
        value -= max;
        while (value >= 0x80)
        {
            output.Write<byte>([(byte)(value & 0x7F | 0x80)]);
            value >>= 7;
        }
        output.Write<byte>([(byte)value]);
    }

    /// <summary>A test-only Huffman encoder over the decoder's (code, length) table.</summary>
    private static byte[] HuffmanEncode(ReadOnlySpan<byte> octets)
    {
        var output = new List<byte>();
        ulong pending = 0;
        var bits = 0;
        foreach (var octet in octets)
        {
            int length = HpackHuffman.Lengths[octet];
            pending = pending << length | HpackHuffman.Codes[octet];
            bits += length;
            while (bits >= 8)
            {
                bits -= 8;
                output.Add((byte)(pending >> bits));
            }
            pending &= (1UL << bits) - 1;
        }
        if (bits > 0)
        {
            output.Add((byte)(pending << (8 - bits) | (0xFFu >> bits)));
        }
        return [.. output];
    }

    /// <summary>libnghttp2's HPACK API (nghttp2/nghttp2.h), installed by scripts/install-test-deps.sh
    /// for h2load. Pointers are passed as IntPtr: the test project does not allow unsafe code.</summary>
    internal static class Nghttp2
    {
        private const string Library = "libnghttp2.so.14";
        private const byte NoIndex = 0x01;
        private const int InflateFinal = 0x01;
        private const int InflateEmit = 0x02;

        [StructLayout(LayoutKind.Sequential)]
        public struct Nv
        {
            public IntPtr Name;
            public IntPtr Value;
            public nuint NameLength;
            public nuint ValueLength;
            public byte Flags;
        }

        [DllImport(Library)]
        public static extern int nghttp2_hd_deflate_new(out IntPtr deflater, nuint maxDeflateDynamicTableSize);

        [DllImport(Library)]
        public static extern void nghttp2_hd_deflate_del(IntPtr deflater);

        [DllImport(Library)]
        public static extern int nghttp2_hd_deflate_change_table_size(IntPtr deflater, nuint settingsMaxDynamicTableSize);

        [DllImport(Library)]
        private static extern nuint nghttp2_hd_deflate_bound(IntPtr deflater, [In] Nv[] nva, nuint nvlen);

        [DllImport(Library)]
        private static extern nint nghttp2_hd_deflate_hd(IntPtr deflater, [Out] byte[] buf, nuint buflen, [In] Nv[] nva, nuint nvlen);

        [DllImport(Library)]
        public static extern int nghttp2_hd_inflate_new(out IntPtr inflater);

        [DllImport(Library)]
        public static extern void nghttp2_hd_inflate_del(IntPtr inflater);

        [DllImport(Library)]
        public static extern int nghttp2_hd_inflate_change_table_size(IntPtr inflater, nuint settingsMaxDynamicTableSize);

        [DllImport(Library)]
        private static extern nint nghttp2_hd_inflate_hd2(IntPtr inflater, out Nv nvOut, out int inflateFlags, IntPtr input, nuint inlen, int inFinal);

        [DllImport(Library)]
        private static extern int nghttp2_hd_inflate_end_headers(IntPtr inflater);

        public static byte[] Deflate(IntPtr deflater, List<(string Name, string Value)> fields, bool[] sensitive)
        {
            var octets = new List<byte>();
            foreach (var (name, value) in fields)
            {
                octets.AddRange(Encoding.Latin1.GetBytes(name));
                octets.AddRange(Encoding.Latin1.GetBytes(value));
            }
            var memory = Marshal.AllocHGlobal(Math.Max(1, octets.Count));
            try
            {
                Marshal.Copy(octets.ToArray(), 0, memory, octets.Count);
                var nva = new Nv[fields.Count];
                var offset = 0;
                for (var i = 0; i < fields.Count; i++)
                {
                    var (name, value) = fields[i];
                    nva[i] = new Nv
                    {
                        Name = memory + offset,
                        Value = memory + offset + name.Length,
                        NameLength = (nuint)name.Length,
                        ValueLength = (nuint)value.Length,
                        Flags = sensitive[i] ? NoIndex : (byte)0,
                    };
                    offset += name.Length + value.Length;
                }
                var buffer = new byte[(int)nghttp2_hd_deflate_bound(deflater, nva, (nuint)nva.Length)];
                var written = nghttp2_hd_deflate_hd(deflater, buffer, (nuint)buffer.Length, nva, (nuint)nva.Length);
                Assert.True(written >= 0, $"nghttp2_hd_deflate_hd failed: {written}");
                return buffer[..(int)written];
            }
            finally
            {
                Marshal.FreeHGlobal(memory);
            }
        }

        public static List<(string Name, string Value, bool NeverIndexed)> Inflate(IntPtr inflater, byte[] block)
        {
            var fields = new List<(string, string, bool)>();
            var handle = GCHandle.Alloc(block, GCHandleType.Pinned);
            try
            {
                var start = handle.AddrOfPinnedObject();
                var offset = 0;
                while (true)
                {
                    var read = nghttp2_hd_inflate_hd2(inflater, out var nv, out var flags, start + offset, (nuint)(block.Length - offset), 1);
                    Assert.True(read >= 0, $"nghttp2_hd_inflate_hd2 failed: {read}");
                    offset += (int)read;
                    if ((flags & InflateEmit) != 0)
                    {
                        fields.Add((ReadLatin1(nv.Name, nv.NameLength), ReadLatin1(nv.Value, nv.ValueLength), (nv.Flags & NoIndex) != 0));
                    }
                    if ((flags & InflateFinal) != 0)
                    {
                        nghttp2_hd_inflate_end_headers(inflater);
                        break;
                    }
                    if ((flags & InflateEmit) == 0 && offset == block.Length)
                    {
                        break;
                    }
                }
            }
            finally
            {
                handle.Free();
            }
            return fields;
        }

        private static string ReadLatin1(IntPtr pointer, nuint length)
        {
            var octets = new byte[(int)length];
            if (octets.Length > 0)
            {
                Marshal.Copy(pointer, octets, 0, octets.Length);
            }
            return Encoding.Latin1.GetString(octets);
        }
    }
}
