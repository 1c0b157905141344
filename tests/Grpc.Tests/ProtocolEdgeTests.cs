using Microsoft.AspNetCore.Builder;
using System.IO.Compression;
using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Platform.Testing.V1;

namespace Grpc.Tests;

/// <summary>What the server does with requests a gRPC client library would not send: checked on the wire.</summary>
public class ProtocolEdgeTests
{
    private const string UnaryPath = "/platform.testing.v1.Probe/Unary";

    [Fact]
    public async Task Wrong_content_type_gets_415()
    {
        await using var server = await TestServer.StartAsync();
        var (response, _) = await RawHttp2.SendAsync(server.CreateRawClient(),
            RawHttp2.Request(UnaryPath, new ByteArrayContent("{}"u8.ToArray()), "application/json"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Message_split_across_many_data_frames_is_reassembled()
    {
        await using var server = await TestServer.StartAsync();
        var frame = RawHttp2.Frame(new ProbeRequest { Text = "one byte at a time", Blob = ByteString.CopyFrom(new byte[300]) });
        var (response, body) = await RawHttp2.SendAsync(server.CreateRawClient(),
            RawHttp2.Request(UnaryPath, new RawHttp2.ChunkedContent(frame, 3, TimeSpan.FromMilliseconds(1))));
        Assert.Equal("0", RawHttp2.Trailer(response, "grpc-status"));
        var reply = ProbeReply.Parser.ParseFrom(body.AsSpan(5));
        Assert.Equal("one byte at a time", reply.Text);
    }

    [Fact]
    public async Task Immediate_error_is_sent_trailers_only()
    {
        await using var server = await TestServer.StartAsync();
        var (response, body) = await RawHttp2.SendAsync(server.CreateRawClient(),
            RawHttp2.Request(UnaryPath, new ByteArrayContent(RawHttp2.Frame(new ProbeRequest { Behaviour = "rpc-error" }))));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/grpc", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("5", RawHttp2.Header(response, "grpc-status"));
        Assert.Equal("Team '%C3%BCn%C3%AF 42' was not found (100%25).", RawHttp2.Header(response, "grpc-message"));
        Assert.Equal("missing", RawHttp2.Header(response, "x-reason"));
        Assert.Empty(body);
        Assert.Empty(response.TrailingHeaders);
    }

    [Fact]
    public async Task Unknown_request_encoding_gets_unimplemented_with_the_accepted_list()
    {
        await using var server = await TestServer.StartAsync();
        var (response, _) = await RawHttp2.SendAsync(server.CreateRawClient(),
            RawHttp2.Request(UnaryPath, new ByteArrayContent(RawHttp2.Frame(new ProbeRequest(), compressedFlag: true)), "application/grpc", ("grpc-encoding", "snappy")));
        Assert.Equal("12", RawHttp2.Header(response, "grpc-status"));
        Assert.Contains("snappy", Uri.UnescapeDataString(RawHttp2.Header(response, "grpc-message")!));
        Assert.Equal("identity,gzip,deflate", RawHttp2.Header(response, "grpc-accept-encoding"));
    }

    [Fact]
    public async Task Gzip_request_is_decoded_and_response_compressed_when_accepted()
    {
        await using var server = await TestServer.StartAsync(o => o.ResponseCompressionAlgorithm = "gzip");
        var payload = new ProbeRequest { Text = "zipped", Blob = ByteString.CopyFrom(new byte[5000]) }.ToByteArray();
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(payload);
        var (response, body) = await RawHttp2.SendAsync(server.CreateRawClient(),
            RawHttp2.Request(UnaryPath, new ByteArrayContent(RawHttp2.Frame(new ProbeRequest(), true, compressed.ToArray())), "application/grpc",
                ("grpc-encoding", "gzip"), ("grpc-accept-encoding", "gzip")));
        Assert.Equal("0", RawHttp2.Trailer(response, "grpc-status"));
        Assert.Equal("gzip", RawHttp2.Header(response, "grpc-encoding"));
        Assert.Equal(1, body[0]);
        Assert.True(body.Length < 1000, "the 5000 zero bytes were not compressed");
        using var inflated = new GZipStream(new MemoryStream(body, 5, body.Length - 5), CompressionMode.Decompress);
        var reply = ProbeReply.Parser.ParseFrom(inflated);
        Assert.Equal("zipped", reply.Text);
        Assert.Equal(5000, reply.Blob.Length);
    }

    [Fact]
    public async Task Response_is_not_compressed_when_the_client_does_not_accept_gzip()
    {
        await using var server = await TestServer.StartAsync(o => o.ResponseCompressionAlgorithm = "gzip");
        var (response, body) = await RawHttp2.SendAsync(server.CreateRawClient(),
            RawHttp2.Request(UnaryPath, new ByteArrayContent(RawHttp2.Frame(new ProbeRequest { Text = "plain" })), "application/grpc", ("grpc-accept-encoding", "identity")));
        Assert.Null(RawHttp2.Header(response, "grpc-encoding"));
        Assert.Equal(0, body[0]);
        Assert.Equal("plain", ProbeReply.Parser.ParseFrom(body.AsSpan(5)).Text);
    }

    [Theory]
    [InlineData("AAH+/w==")]
    [InlineData("AAH+/w")]
    public async Task Binary_header_is_read_padded_or_not(string value)
    {
        await using var server = await TestServer.StartAsync();
        var (response, body) = await RawHttp2.SendAsync(server.CreateRawClient(),
            RawHttp2.Request(UnaryPath, new ByteArrayContent(RawHttp2.Frame(new ProbeRequest { Behaviour = "echo-headers" })), "application/grpc", ("x-blob-bin", value)));
        Assert.Equal("0", RawHttp2.Trailer(response, "grpc-status"));
        Assert.Equal("x-blob-bin=0001FEFF", ProbeReply.Parser.ParseFrom(body.AsSpan(5)).Text);
        Assert.Equal("/wB/", RawHttp2.Trailer(response, "x-trailer-bin"));
    }

    [Theory]
    [InlineData("2S", 2000)]
    [InlineData("1500m", 1500)]
    [InlineData("1M", 60000)]
    [InlineData("1H", 3600000)]
    [InlineData("3000000u", 3000)]
    [InlineData("99999999n", 100)]
    public async Task Timeout_header_sets_the_handler_deadline(string timeout, int expectedMs)
    {
        await using var server = await TestServer.StartAsync();
        var (response, body) = await RawHttp2.SendAsync(server.CreateRawClient(),
            RawHttp2.Request(UnaryPath, new ByteArrayContent(RawHttp2.Frame(new ProbeRequest { Behaviour = "deadline" })), "application/grpc", ("grpc-timeout", timeout)));
        Assert.Equal("0", RawHttp2.Trailer(response, "grpc-status"));
        var remaining = double.Parse(ProbeReply.Parser.ParseFrom(body.AsSpan(5)).Text, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(remaining, expectedMs - 1000, expectedMs);
    }

    [Fact]
    public async Task Second_message_on_a_unary_call_is_refused()
    {
        await using var server = await TestServer.StartAsync();
        var two = RawHttp2.Frame(new ProbeRequest { Text = "a" }).Concat(RawHttp2.Frame(new ProbeRequest { Text = "b" })).ToArray();
        var (response, _) = await RawHttp2.SendAsync(server.CreateRawClient(), RawHttp2.Request(UnaryPath, new ByteArrayContent(two)));
        Assert.Equal("13", RawHttp2.Header(response, "grpc-status") ?? RawHttp2.Trailer(response, "grpc-status"));
    }

    [Fact]
    public async Task Truncated_message_is_an_internal_error()
    {
        await using var server = await TestServer.StartAsync();
        var frame = RawHttp2.Frame(new ProbeRequest { Text = "truncated" });
        var (response, _) = await RawHttp2.SendAsync(server.CreateRawClient(), RawHttp2.Request(UnaryPath, new ByteArrayContent(frame[..^3])));
        Assert.Equal("13", RawHttp2.Header(response, "grpc-status"));
    }

    [Fact]
    public async Task Non_grpc_requests_to_unknown_paths_are_left_to_other_endpoints()
    {
        await using var server = await TestServer.StartAsync(map: app => app.MapPost("/rest/thing", () => "rest"));
        var client = server.CreateRawClient();
        var (rest, body) = await RawHttp2.SendAsync(client, RawHttp2.Request("/rest/thing", new ByteArrayContent([]), "application/json"));
        Assert.Equal(HttpStatusCode.OK, rest.StatusCode);
        Assert.Equal("rest", System.Text.Encoding.UTF8.GetString(body));
        var (missing, _) = await RawHttp2.SendAsync(client, RawHttp2.Request("/other/path", new ByteArrayContent([]), "application/json"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
