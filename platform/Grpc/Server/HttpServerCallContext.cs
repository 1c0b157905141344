using System.IO.Pipelines;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Compression;
using Grpc.Shared;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Primitives;

namespace Grpc.AspNetCore.Server.Internal;

/// <summary>
/// One call served over an ASP.NET Core request: validates the request, reads and writes
/// framed messages, and ends the response with the status in trailers (or Trailers-Only).
/// </summary>
internal sealed class HttpServerCallContext : ServerCallContext, IDisposable
{
    private readonly ServerMethodRuntime _runtime;
    private Metadata? _requestHeaders;
    private Metadata? _responseTrailers;
    private CancellationTokenSource? _deadlineCts;
    private Timer? _deadlineTimer;
    private CancellationToken _callToken;
    private MessageReader? _reader;
    private MessageSerializationContext? _serializationContext;
    private ICompressionProvider? _responseCompression;
    private bool _headersSent;
    private bool _completed;
    private volatile bool _requestStreamBroken;
    private int _deadlineState; // 0 none, 1 exceeded

    public HttpServerCallContext(HttpContext httpContext, ServerMethodRuntime runtime)
    {
        HttpContext = httpContext;
        _runtime = runtime;
    }

    public HttpContext HttpContext { get; }

    public DateTime DeadlineUtc { get; private set; } = DateTime.MaxValue;

    public bool DeadlineExceeded => Volatile.Read(ref _deadlineState) == 1;

    /// <summary>Whether the last request message read was compressed (interop checks need it).</summary>
    public bool LastMessageCompressed => _reader?.LastMessageCompressed ?? false;

    protected override string MethodCore => _runtime.Method.FullName;
    protected override string HostCore => HttpContext.Request.Host.Value ?? "";
    protected override string PeerCore
    {
        get
        {
            var ip = HttpContext.Connection.RemoteIpAddress;
            if (ip is null) return "unknown";
            return ip.AddressFamily == AddressFamily.InterNetworkV6
                ? $"ipv6:[{ip}]:{HttpContext.Connection.RemotePort}"
                : $"ipv4:{ip}:{HttpContext.Connection.RemotePort}";
        }
    }
    protected override DateTime DeadlineCore => DeadlineUtc;
    protected override Metadata RequestHeadersCore => _requestHeaders ??= ReadRequestHeaders();
    protected override CancellationToken CancellationTokenCore => _callToken;
    protected override Metadata ResponseTrailersCore => _responseTrailers ??= [];
    protected override Status StatusCore { get; set; } = Status.DefaultSuccess;
    protected override WriteOptions? WriteOptionsCore { get; set; }

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders)
    {
        if (_headersSent)
        {
            throw new InvalidOperationException("Response headers can only be sent once per call.");
        }
        var headers = HttpContext.Response.Headers;
        foreach (var entry in responseHeaders)
        {
            if (entry.Key == GrpcProtocol.EncodingRequestHeader)
            {
                var provider = GrpcProtocol.FindProvider(_runtime.CompressionProviders, entry.Value);
                if (provider is not null && GrpcProtocol.AcceptsEncoding(HttpContext.Request.Headers[GrpcProtocol.AcceptEncodingHeader].ToString(), provider.EncodingName))
                {
                    _responseCompression = provider;
                }
                continue;
            }
            if (GrpcProtocol.IsReservedHeader(entry.Key)) continue;
            headers.Append(entry.Key, entry.IsBinary ? GrpcProtocol.EncodeBinaryValue(entry.RawBytes!) : entry.Value);
        }
        SendHeaders();
        return HttpContext.Response.BodyWriter.FlushAsync(_callToken).AsTask();
    }

    /// <summary>
    /// Checks the request and prepares the call. Returns false when the call was already
    /// answered (415, UNIMPLEMENTED for an unknown encoding, UNAVAILABLE during shutdown).
    /// </summary>
    public bool TryStart()
    {
        var request = HttpContext.Request;
        var response = HttpContext.Response;
        if (!GrpcProtocol.IsGrpcContentType(request.ContentType))
        {
            response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            response.Headers[GrpcProtocol.StatusTrailer] = "13";
            response.Headers[GrpcProtocol.MessageTrailer] = GrpcProtocol.PercentEncode($"Content-Type '{request.ContentType}' is not supported.");
            _completed = true;
            return false;
        }
        if (!HttpProtocol.IsHttp2(request.Protocol) && !HttpProtocol.IsHttp3(request.Protocol))
        {
            _completed = true;
            WriteTrailersOnly(new Status(StatusCode.Internal, $"Request protocol '{request.Protocol}' is not supported; gRPC needs HTTP/2."), null);
            return false;
        }

        // A streaming call may be idle for long: Kestrel's minimum data rate and body size
        // limits are for uploads, not for gRPC (message size is checked per message).
        var features = HttpContext.Features;
        if (features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate) rate.MinDataRate = null;
        if (features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = null;

        if (_runtime.ShutdownToken.IsCancellationRequested)
        {
            _completed = true;
            WriteTrailersOnly(new Status(StatusCode.Unavailable, "The server is shutting down."), null);
            return false;
        }

        ICompressionProvider? decompressor = null;
        string? encoding = request.Headers[GrpcProtocol.EncodingHeader];
        if (!string.IsNullOrEmpty(encoding) && !string.Equals(encoding, GrpcProtocol.IdentityEncoding, StringComparison.OrdinalIgnoreCase))
        {
            decompressor = GrpcProtocol.FindProvider(_runtime.CompressionProviders, encoding);
            if (decompressor is null)
            {
                _completed = true;
                response.Headers[GrpcProtocol.AcceptEncodingHeader] = _runtime.AcceptEncoding;
                WriteTrailersOnly(new Status(StatusCode.Unimplemented,
                    $"Unsupported grpc-encoding value '{encoding}'. Supported encodings: {_runtime.AcceptEncoding}"), null);
                return false;
            }
        }

        _callToken = HttpContext.RequestAborted;
        string? timeout = request.Headers[GrpcProtocol.TimeoutHeader];
        if (timeout is not null && GrpcProtocol.TryParseTimeout(timeout, out var span))
        {
            // Timers cannot wait longer than about 49 days; longer deadlines are as good as none.
            if (span < TimeSpan.FromDays(40))
            {
                DeadlineUtc = DateTime.UtcNow + span;
                _deadlineCts = CancellationTokenSource.CreateLinkedTokenSource(HttpContext.RequestAborted);
                _callToken = _deadlineCts.Token;
                // A timer rather than CancelAfter: the reason must be recorded before the token
                // fires, or a handler could end (and be judged) before we know it was the deadline.
                _deadlineTimer = new Timer(static s => ((HttpServerCallContext)s!).OnDeadline(), this, span, Timeout.InfiniteTimeSpan);
            }
        }

        var accept = request.Headers[GrpcProtocol.AcceptEncodingHeader].ToString();
        if (_runtime.ResponseCompression is { } preferred && GrpcProtocol.AcceptsEncoding(accept, preferred.EncodingName))
        {
            _responseCompression = preferred;
        }

        _reader = new MessageReader(request.BodyReader, _runtime.MaxReceiveMessageSize, decompressor, null, isServer: true);
        return true;
    }

    private void OnDeadline()
    {
        Volatile.Write(ref _deadlineState, 1);
        try
        {
            _deadlineCts?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The call ended as the deadline came.
        }
    }

    /// <summary>
    /// The next request message. A read that fails because the stream or connection is gone marks
    /// the call (see <see cref="ClientLeft"/>); a message already buffered is returned without an
    /// async state machine, as the reader's own fast path intends.
    /// </summary>
    public ValueTask<T?> ReadMessageAsync<T>(Func<DeserializationContext, T> deserializer, CancellationToken cancellationToken) where T : class
    {
        ValueTask<T?> read;
        try
        {
            read = _reader!.ReadAsync(deserializer, cancellationToken);
        }
        catch (Exception ex) when (IsRequestStreamBroken(ex))
        {
            _requestStreamBroken = true;
            throw;
        }

        return read.IsCompletedSuccessfully ? read : AwaitReadAsync(read);
    }

    private async ValueTask<T?> AwaitReadAsync<T>(ValueTask<T?> read) where T : class
    {
        try
        {
            return await read.ConfigureAwait(false);
        }
        catch (Exception ex) when (IsRequestStreamBroken(ex))
        {
            _requestStreamBroken = true;
            throw;
        }
    }

    /// <summary>Reads the only request message of a unary or server-streaming call.</summary>
    public async ValueTask<T> ReadSingleMessageAsync<T>(Func<DeserializationContext, T> deserializer) where T : class
    {
        var message = await ReadMessageAsync(deserializer, _callToken).ConfigureAwait(false)
            ?? throw new RpcException(new Status(StatusCode.Internal, "The request ended without a message."));
        var extra = await ReadMessageAsync(deserializer, _callToken).ConfigureAwait(false);
        if (extra is not null)
        {
            throw new RpcException(new Status(StatusCode.Internal, "More than one request message for a method that takes one."));
        }
        return message;
    }

    /// <summary>
    /// Kestrel fails a request body read with these only when the stream was reset or the
    /// connection closed (a body over a size limit is a <see cref="BadHttpRequestException"/>,
    /// and the client is still there for that).
    /// </summary>
    private static bool IsRequestStreamBroken(Exception ex) =>
        ex is IOException and not BadHttpRequestException or ConnectionAbortedException;

    /// <summary>
    /// Whether the client is gone (it reset the stream, or the connection closed), so that
    /// <paramref name="exception"/> is no fault of the handler and no status can reach the client.
    /// Kestrel cancels RequestAborted on the thread pool after it fails the request body, so a
    /// failed read can reach the handler's catch before the token shows the abort: the read
    /// failure counts on its own.
    /// </summary>
    public bool ClientLeft(Exception exception) =>
        HttpContext.RequestAborted.IsCancellationRequested || _requestStreamBroken || IsConnectionLost(exception);

    /// <summary>Kestrel's reasons for a connection that went away, met reading the request or flushing the response.</summary>
    private static bool IsConnectionLost(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is ConnectionResetException or ConnectionAbortedException) return true;
        }
        return false;
    }

    /// <summary>Writes one response message; <paramref name="flush"/> sends it at once (streaming).</summary>
    public ValueTask<FlushResult> WriteMessageAsync<T>(T message, Action<T, SerializationContext> serializer, WriteOptions? options, bool flush)
    {
        if (_completed)
        {
            throw new InvalidOperationException("Cannot write a message after the call has completed.");
        }
        ArgumentNullException.ThrowIfNull(message);
        SendHeaders();
        var flags = (options ?? WriteOptions)?.Flags ?? default;
        var compression = (flags & WriteFlags.NoCompress) != 0 ? null : _responseCompression;
        var writer = HttpContext.Response.BodyWriter;
        (_serializationContext ??= new MessageSerializationContext()).WriteMessage(writer, message, serializer,
            compression, _runtime.ResponseCompressionLevel, _runtime.MaxSendMessageSize);
        if (flush && (flags & WriteFlags.BufferHint) == 0)
        {
            return writer.FlushAsync(_callToken);
        }
        return default;
    }

    private void SendHeaders()
    {
        if (_headersSent) return;
        _headersSent = true;
        var response = HttpContext.Response;
        response.ContentType = GrpcProtocol.ContentType;
        var headers = response.Headers;
        if (_responseCompression is not null)
        {
            headers[GrpcProtocol.EncodingHeader] = _responseCompression.EncodingName;
        }
        headers[GrpcProtocol.AcceptEncodingHeader] = _runtime.AcceptEncoding;
    }

    /// <summary>Ends a call whose handler returned: status from the context (OK unless set), trailers.</summary>
    public void Complete()
    {
        if (DeadlineExceeded)
        {
            CompleteWithStatus(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"), null);
            return;
        }
        CompleteWithStatus(StatusCore, null);
    }

    /// <summary>Ends a call whose handler threw.</summary>
    public void Fail(Exception exception, bool detailedErrors, out bool handlerFault)
    {
        handlerFault = false;
        if (exception is RpcException rpc)
        {
            CompleteWithStatus(rpc.Status, rpc.Trailers);
            return;
        }
        if (DeadlineExceeded)
        {
            CompleteWithStatus(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"), null);
            return;
        }
        if (HttpContext.RequestAborted.IsCancellationRequested)
        {
            // The client is gone (RST_STREAM): nothing can reach it.
            _completed = true;
            return;
        }
        handlerFault = true;
        var detail = detailedErrors
            ? $"Exception was thrown by handler. {exception.GetType().Name}: {exception.Message}"
            : "Exception was thrown by handler.";
        CompleteWithStatus(new Status(StatusCode.Unknown, detail), null);
    }

    private void CompleteWithStatus(Status status, Metadata? extraTrailers)
    {
        if (_completed) return;
        _completed = true;
        var response = HttpContext.Response;
        if (!_headersSent && !response.HasStarted)
        {
            WriteTrailersOnly(status, extraTrailers);
            return;
        }
        response.AppendTrailer(GrpcProtocol.StatusTrailer, StatusCodeText(status.StatusCode));
        if (!string.IsNullOrEmpty(status.Detail))
        {
            response.AppendTrailer(GrpcProtocol.MessageTrailer, GrpcProtocol.PercentEncode(status.Detail));
        }
        AppendMetadata(_responseTrailers, static (r, k, v) => r.AppendTrailer(k, v), response);
        AppendMetadata(extraTrailers, static (r, k, v) => r.AppendTrailer(k, v), response);
    }

    private void WriteTrailersOnly(Status status, Metadata? extraTrailers)
    {
        var response = HttpContext.Response;
        response.ContentType = GrpcProtocol.ContentType;
        var headers = response.Headers;
        headers[GrpcProtocol.StatusTrailer] = StatusCodeText(status.StatusCode);
        if (!string.IsNullOrEmpty(status.Detail))
        {
            headers[GrpcProtocol.MessageTrailer] = GrpcProtocol.PercentEncode(status.Detail);
        }
        AppendMetadata(_responseTrailers, static (r, k, v) => r.Headers.Append(k, v), response);
        AppendMetadata(extraTrailers, static (r, k, v) => r.Headers.Append(k, v), response);
    }

    private static void AppendMetadata(Metadata? metadata, Action<HttpResponse, string, StringValues> append, HttpResponse response)
    {
        if (metadata is null) return;
        foreach (var entry in metadata)
        {
            if (GrpcProtocol.IsReservedHeader(entry.Key)) continue;
            append(response, entry.Key, entry.IsBinary ? GrpcProtocol.EncodeBinaryValue(entry.RawBytes!) : entry.Value);
        }
    }

    private static readonly string[] StatusTexts = Enumerable.Range(0, 17).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    private static string StatusCodeText(StatusCode code) =>
        (uint)code < StatusTexts.Length ? StatusTexts[(int)code] : ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private Metadata ReadRequestHeaders()
    {
        var metadata = new Metadata();
        foreach (var header in HttpContext.Request.Headers)
        {
            if (GrpcProtocol.IsReservedHeader(header.Key)) continue;
            GrpcProtocol.AddHeaderToMetadata(metadata, header.Key, header.Value);
        }
        return metadata;
    }

    public void Dispose()
    {
        _deadlineTimer?.Dispose();
        _deadlineCts?.Dispose();
        _serializationContext?.Dispose();
    }
}
