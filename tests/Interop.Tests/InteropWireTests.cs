using System.Buffers.Binary;
using Google.Protobuf;
using Grpc.Testing;
using Testing;

namespace Interop.Tests;

/// <summary>
/// The compressed-flag requirements of the server_compressed_* interop cases, checked on the
/// wire (no gRPC client library exposes the flag).
/// </summary>
public class InteropWireTests(InteropServerFixture server) : IClassFixture<InteropServerFixture>
{
    private static List<(byte Flag, int Length)> Frames(byte[] body)
    {
        var frames = new List<(byte, int)>();
        for (var offset = 0; offset < body.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(offset + 1));
            frames.Add((body[offset], length));
            offset += 5 + length;
        }
        return frames;
    }

    private HttpClient Client() => new(new SocketsHttpHandler()) { BaseAddress = new Uri($"http://127.0.0.1:{server.Port}") };

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 0)]
    public async Task Unary_response_is_compressed_exactly_when_asked(bool compressed, byte flag)
    {
        using var client = Client();
        var request = new SimpleRequest { ResponseCompressed = new BoolValue { Value = compressed }, ResponseSize = 314159, Payload = new Payload { Body = ByteString.CopyFrom(new byte[1000]) } };
        var (response, body) = await RawHttp2.SendAsync(client, RawHttp2.Request("/grpc.testing.TestService/UnaryCall",
            new ByteArrayContent(RawHttp2.Frame(request)), "application/grpc", ("grpc-accept-encoding", "identity,gzip")));
        Assert.Equal("0", RawHttp2.Trailer(response, "grpc-status"));
        var frames = Frames(body);
        Assert.Single(frames);
        Assert.Equal(flag, frames[0].Flag);
    }

    [Fact]
    public async Task Streaming_responses_are_compressed_per_message_as_asked()
    {
        using var client = Client();
        var request = new StreamingOutputCallRequest
        {
            ResponseParameters =
            {
                new ResponseParameters { Size = 31415, Compressed = new BoolValue { Value = true } },
                new ResponseParameters { Size = 92653, Compressed = new BoolValue { Value = false } },
            },
        };
        var (response, body) = await RawHttp2.SendAsync(client, RawHttp2.Request("/grpc.testing.TestService/StreamingOutputCall",
            new ByteArrayContent(RawHttp2.Frame(request)), "application/grpc", ("grpc-accept-encoding", "identity,gzip")));
        Assert.Equal("0", RawHttp2.Trailer(response, "grpc-status"));
        Assert.Equal("gzip", RawHttp2.Header(response, "grpc-encoding"));
        var frames = Frames(body);
        Assert.Equal(2, frames.Count);
        Assert.Equal(1, frames[0].Flag);
        Assert.True(frames[0].Length < 31415, "the compressed message is not smaller");
        Assert.Equal(0, frames[1].Flag);
        Assert.True(frames[1].Length > 92653);
    }
}
