using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace Testing;

/// <summary>Sends hand-made gRPC requests over plain HTTP/2 and reads back frames and trailers.</summary>
public static class RawHttp2
{
    public static byte[] Frame(IMessage message, bool compressedFlag = false, byte[]? payloadOverride = null)
    {
        var payload = payloadOverride ?? message.ToByteArray();
        var frame = new byte[5 + payload.Length];
        frame[0] = compressedFlag ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    public static HttpRequestMessage Request(string path, HttpContent content, string contentType = "application/grpc", params (string Key, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Headers.TryAddWithoutValidation("te", "trailers");
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        foreach (var (k, v) in headers) request.Headers.TryAddWithoutValidation(k, v);
        return request;
    }

    /// <summary>The response, its body bytes and its trailers (after reading the whole body).</summary>
    public static async Task<(HttpResponseMessage Response, byte[] Body)> SendAsync(HttpClient client, HttpRequestMessage request)
    {
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsByteArrayAsync();
        return (response, body);
    }

    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var v) ? v.First() : null;

    public static string? Trailer(HttpResponseMessage response, string name) =>
        response.TrailingHeaders.TryGetValues(name, out var v) ? v.First() : null;

    /// <summary>A body written in pieces, each flushed on its own (so it spans several DATA frames).</summary>
    public sealed class ChunkedContent(byte[] bytes, int chunkSize, TimeSpan pause) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var offset = 0; offset < bytes.Length; offset += chunkSize)
            {
                await stream.WriteAsync(bytes.AsMemory(offset, Math.Min(chunkSize, bytes.Length - offset)));
                await stream.FlushAsync();
                if (pause > TimeSpan.Zero) await Task.Delay(pause);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
