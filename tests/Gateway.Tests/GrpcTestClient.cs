using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Channels;

namespace Gateway.Tests;

/// <summary>The outcome of one gRPC call as a client sees it on the wire.</summary>
public sealed record GrpcCallResult(
    HttpStatusCode HttpStatus, int? GrpcStatus, string GrpcMessage, IReadOnlyList<string> Messages,
    HttpResponseHeaders Headers, HttpResponseHeaders Trailers, bool TrailersOnly);

/// <summary>A gRPC client written against HttpClient with h2c prior knowledge, framing by hand.</summary>
public sealed class GrpcTestClient(Uri address) : IDisposable
{
    private readonly HttpMessageInvoker _invoker = new(new SocketsHttpHandler { UseProxy = false });

    public Task<GrpcCallResult> UnaryAsync(string path, string message, Action<HttpRequestHeaders>? headers = null, CancellationToken ct = default) =>
        CallAsync(path, [message], headers, ct);

    public async Task<GrpcCallResult> CallAsync(string path, IEnumerable<string> messages, Action<HttpRequestHeaders>? headers = null, CancellationToken ct = default)
    {
        var duplex = new DuplexContent();
        foreach (var m in messages)
        {
            await duplex.Messages.Writer.WriteAsync(m, ct);
        }
        duplex.Messages.Writer.Complete();
        using var response = await SendAsync(path, duplex, headers, ct);
        return await ReadToEndAsync(response, ct);
    }

    public async Task<HttpResponseMessage> SendAsync(string path, DuplexContent content, Action<HttpRequestHeaders>? headers = null, CancellationToken ct = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Headers.TryAddWithoutValidation("TE", "trailers");
        headers?.Invoke(request.Headers);
        return await _invoker.SendAsync(request, ct);
    }

    public static async Task<GrpcCallResult> ReadToEndAsync(HttpResponseMessage response, CancellationToken ct = default)
    {
        var stream = await response.Content.ReadAsStreamAsync(ct);
        var messages = new List<string>();
        while (await GrpcWire.ReadMessageAsync(stream, 1 << 20, ct) is { } m)
        {
            messages.Add(Encoding.UTF8.GetString(m));
        }
        var trailersOnly = response.Headers.Contains(GrpcWire.StatusHeader);
        var statusSource = trailersOnly ? (HttpHeaders)response.Headers : response.TrailingHeaders;
        int? status = statusSource.TryGetValues(GrpcWire.StatusHeader, out var s) ? int.Parse(s.First(), System.Globalization.CultureInfo.InvariantCulture) : null;
        var message = statusSource.TryGetValues(GrpcWire.MessageHeader, out var gm) ? GrpcWire.DecodeMessage(gm.First()) : "";
        return new GrpcCallResult(response.StatusCode, status, message, messages, response.Headers, response.TrailingHeaders, trailersOnly);
    }

    public void Dispose() => _invoker.Dispose();
}

/// <summary>A request body the test writes message by message while the response is read.</summary>
public sealed class DuplexContent : HttpContent
{
    public DuplexContent() => Headers.ContentType = new MediaTypeHeaderValue(GrpcWire.ContentType);

    public Channel<string> Messages { get; } = Channel.CreateUnbounded<string>();

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        // Send the HEADERS frame now; the handler would otherwise wait for the first message.
        await stream.FlushAsync(cancellationToken);
        await foreach (var m in Messages.Reader.ReadAllAsync(cancellationToken))
        {
            await stream.WriteAsync(GrpcWire.Frame(Encoding.UTF8.GetBytes(m)), cancellationToken);
            await stream.FlushAsync(cancellationToken);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
