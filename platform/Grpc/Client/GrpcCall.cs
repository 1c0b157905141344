using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Compression;
using Grpc.Shared;

namespace Grpc.Net.Client;

/// <summary>
/// One client call over one HTTP/2 stream: sends the request (a framed message, or a stream of
/// them), reads the response headers, messages and trailers, and settles the call's status once.
/// The call is cancelled (RST_STREAM) by the caller's token, the deadline or Dispose.
/// </summary>
internal sealed class GrpcCall<TRequest, TResponse> : IDisposable, IWriterCall where TRequest : class where TResponse : class
{
    private const string UserAgent = "grpc-dotnet-platform/1.0";
    private const int CancelNone = 0, CancelByCaller = 1, CancelByDeadline = 2, CancelByDispose = 3;

    private readonly GrpcChannel _channel;
    private readonly Method<TRequest, TResponse> _method;
    private readonly string? _host;
    private readonly CallOptions _options;
    private readonly CancellationTokenSource _cts = new();
    private readonly CancellationToken _token;
    private readonly DateTime _deadline = DateTime.MaxValue;
    private readonly object _lock = new();
    private CancellationTokenRegistration _callerRegistration;
    private Timer? _deadlineTimer;
    private int _cancelReason;
    private ICompressionProvider? _requestCompression;
    private Task<HttpResponseMessage>? _responseTask;
    private Task<Metadata>? _headersTask;
    private HttpResponseMessage? _response;
    private Metadata? _responseHeaders;
    private bool _trailersOnly;
    private MessageReader? _reader;
    private Status? _status;
    private Metadata? _trailers;
    private bool _cleanedUp;

    public GrpcCall(GrpcChannel channel, Method<TRequest, TResponse> method, string? host, CallOptions options)
    {
        ObjectDisposedException.ThrowIf(channel.Disposed, channel);
        _channel = channel;
        _method = method;
        _host = host;
        _options = options;
        _token = _cts.Token;
        if (options.Deadline is { } deadline && deadline != DateTime.MaxValue)
        {
            _deadline = deadline.Kind == DateTimeKind.Local ? deadline.ToUniversalTime() : deadline;
        }
        if (options.CancellationToken.CanBeCanceled)
        {
            _callerRegistration = options.CancellationToken.UnsafeRegister(static s => ((GrpcCall<TRequest, TResponse>)s!).Cancel(CancelByCaller), this);
        }
        if (options.Headers?.GetValue(GrpcProtocol.EncodingRequestHeader) is { } encoding)
        {
            _requestCompression = GrpcProtocol.FindProvider(channel.CompressionProviders, encoding)
                ?? throw new InvalidOperationException($"No compression provider for '{encoding}'.");
        }
    }

    // ---- starting ----

    public void StartWithRequest(TRequest request)
    {
        ReadOnlyMemory<byte> payload = default;
        Exception? failure = ArmDeadline();
        if (failure is null)
        {
            try
            {
                var output = new ArrayBufferWriter<byte>(256);
                using var context = new MessageSerializationContext();
                context.WriteMessage(output, request, _method.RequestMarshaller.ContextualSerializer, Compression(_options.WriteOptions),
                    _channel.Options.RequestCompressionLevel, _channel.MaxSendMessageSize);
                payload = output.WrittenMemory;
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        }
        _responseTask = failure is null ? SendWithRetryAsync(payload) : Task.FromException<HttpResponseMessage>(failure);
        _headersTask = ReceiveHeadersAsync();
    }

    public HttpClientStreamWriter<TRequest> StartStreaming()
    {
        var content = new StreamingRequestContent();
        var failure = ArmDeadline();
        _responseTask = failure is null ? SendAsync(CreateRequest(content)) : Task.FromException<HttpResponseMessage>(failure);
        _headersTask = ReceiveHeadersAsync();
        return new HttpClientStreamWriter<TRequest>(this, content);
    }

    private Exception? ArmDeadline()
    {
        if (_deadline == DateTime.MaxValue) return null;
        var remaining = _deadline - DateTime.UtcNow;
        if (remaining <= TimeSpan.Zero)
        {
            Cancel(CancelByDeadline);
            return new OperationCanceledException(_token);
        }
        // Timers cannot wait longer than about 49 days; longer deadlines are as good as none.
        // A timer rather than CancelAfter: the reason is recorded before the token fires.
        if (remaining < TimeSpan.FromDays(40))
        {
            _deadlineTimer = new Timer(static s => ((GrpcCall<TRequest, TResponse>)s!).Cancel(CancelByDeadline), this, remaining, Timeout.InfiniteTimeSpan);
        }
        return null;
    }

    internal ICompressionProvider? Compression(WriteOptions? writeOptions) =>
        writeOptions is not null && (writeOptions.Flags & WriteFlags.NoCompress) != 0 ? null : _requestCompression;

    public CancellationToken Token => _token;

    WriteOptions? IWriterCall.DefaultWriteOptions => _options.WriteOptions;

    void IWriterCall.CancelByCaller() => Cancel(CancelByCaller);

    void IWriterCall.ThrowIfSettledWithError() => ThrowIfError();

    void IWriterCall.Serialize<T>(MessageSerializationContext context, PooledBufferWriter output, T message, WriteOptions? options) =>
        context.WriteMessage(output, message, (Action<T, SerializationContext>)(object)_method.RequestMarshaller.ContextualSerializer,
            Compression(options), _channel.Options.RequestCompressionLevel, _channel.MaxSendMessageSize);

    private HttpRequestMessage CreateRequest(HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _channel.MethodUri(_method.FullName))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        var headers = request.Headers;
        headers.TryAddWithoutValidation("te", "trailers");
        headers.TryAddWithoutValidation("user-agent", UserAgent);
        headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, _channel.AcceptEncoding);
        if (_host is not null) headers.Host = _host;
        if (_deadline != DateTime.MaxValue)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcProtocol.FormatTimeout(_deadline - DateTime.UtcNow));
        }
        if (_requestCompression is not null)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.EncodingHeader, _requestCompression.EncodingName);
        }
        if (_options.Headers is { } metadata)
        {
            foreach (var entry in metadata)
            {
                if (GrpcProtocol.IsReservedHeader(entry.Key) || entry.Key == GrpcProtocol.EncodingRequestHeader) continue;
                headers.TryAddWithoutValidation(entry.Key, entry.IsBinary ? GrpcProtocol.EncodeBinaryValue(entry.RawBytes!) : entry.Value);
            }
        }
        content.Headers.TryAddWithoutValidation("Content-Type", GrpcProtocol.ContentType);
        return request;
    }

    private Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) =>
        _channel.IsHttpClient
            ? ((HttpClient)_channel.Invoker).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _token)
            : _channel.Invoker.SendAsync(request, _token);

    private async Task<HttpResponseMessage> SendWithRetryAsync(ReadOnlyMemory<byte> payload)
    {
        var attempts = Math.Max(1, _channel.Options.MaxRetryAttempts);
        var backoff = _channel.Options.InitialRetryBackoff;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SendAsync(CreateRequest(new FramedMessageContent(payload))).ConfigureAwait(false);
            }
            catch (HttpRequestException ex) when (attempt < attempts && NothingWasSent(ex) && !_token.IsCancellationRequested)
            {
                // Safe to retry: the request never reached a server (the connection could not be made).
                var jitter = Random.Shared.NextDouble() * 0.4 + 0.8;
                await Task.Delay(backoff * jitter, _token).ConfigureAwait(false);
                backoff *= 2;
            }
        }
    }

    private static bool NothingWasSent(HttpRequestException ex) =>
        ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
        && ex.InnerException is SocketException;

    // ---- receiving ----

    private async Task<Metadata> ReceiveHeadersAsync()
    {
        HttpResponseMessage response;
        try
        {
            response = await _responseTask!.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            throw Fail(ex);
        }
        lock (_lock)
        {
            if (_cleanedUp)
            {
                response.Dispose();
                throw Fail(new OperationCanceledException());
            }
            _response = response;
        }
        var headers = new Metadata();
        foreach (var header in response.Headers)
        {
            if (GrpcProtocol.IsReservedHeader(header.Key)) continue;
            GrpcProtocol.AddHeaderToMetadata(headers, header.Key, header.Value);
        }
        _responseHeaders = headers;

        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw Fail(new RpcException(new Status(MapHttpStatus(response.StatusCode),
                $"Bad gRPC response. HTTP status code: {(int)response.StatusCode}"), headers));
        }
        var contentType = response.Content.Headers.TryGetValues("Content-Type", out var types) ? types.FirstOrDefault() : null;
        if (!GrpcProtocol.IsGrpcContentType(contentType))
        {
            throw Fail(new RpcException(new Status(StatusCode.Internal,
                $"Bad gRPC response. Invalid content-type value: {contentType ?? "(none)"}")));
        }
        if (response.Headers.TryGetValues(GrpcProtocol.StatusTrailer, out var statusValues))
        {
            // Trailers-Only: the status travels in the headers; there is no body.
            _trailersOnly = true;
            response.Headers.TryGetValues(GrpcProtocol.MessageTrailer, out var messageValues);
            Settle(ParseStatus(statusValues.FirstOrDefault(), messageValues?.FirstOrDefault()), headers);
            return headers;
        }
        ICompressionProvider? decompressor = null;
        string? unsupported = null;
        if (response.Headers.TryGetValues(GrpcProtocol.EncodingHeader, out var encodings)
            && encodings.FirstOrDefault() is { } encoding && !string.Equals(encoding, GrpcProtocol.IdentityEncoding, StringComparison.OrdinalIgnoreCase))
        {
            decompressor = GrpcProtocol.FindProvider(_channel.CompressionProviders, encoding);
            if (decompressor is null) unsupported = encoding;
        }
        Stream body;
        try
        {
            body = await response.Content.ReadAsStreamAsync(_token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            throw Fail(ex);
        }
        var pipe = PipeReader.Create(body, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 1024, leaveOpen: true));
        _reader = new MessageReader(pipe, _channel.MaxReceiveMessageSize, decompressor, unsupported, isServer: false);
        return headers;
    }

    public Task<Metadata> GetResponseHeadersAsync() => _headersTask!;

    /// <summary>The single response of a unary or client-streaming call.</summary>
    public async Task<TResponse> ReadUnaryResponseAsync()
    {
        try
        {
            await _headersTask!.ConfigureAwait(false);
            if (_trailersOnly)
            {
                throw StatusException(StatusCode.Internal, "Failed to deserialize response message: no message in a Trailers-Only response.");
            }
            var message = await _reader!.ReadAsync(_method.ResponseMarshaller.ContextualDeserializer, _token).ConfigureAwait(false);
            if (message is not null)
            {
                var extra = await _reader.ReadAsync(_method.ResponseMarshaller.ContextualDeserializer, _token).ConfigureAwait(false);
                if (extra is not null)
                {
                    throw Fail(new RpcException(new Status(StatusCode.Internal, "More than one response message for a method that returns one.")));
                }
            }
            ReadTrailers();
            if (message is null)
            {
                throw StatusException(StatusCode.Internal, "Failed to deserialize response message: the response had no message.");
            }
            return message;
        }
        catch (Exception ex)
        {
            throw Fail(ex);
        }
        finally
        {
            CleanUp();
        }
    }

    /// <summary>Throws the settled status when it is an error; otherwise a call-level error of its own.</summary>
    private RpcException StatusException(StatusCode fallbackCode, string fallbackMessage)
    {
        lock (_lock)
        {
            if (_status is { } status && status.StatusCode != StatusCode.OK)
            {
                return new RpcException(status, _trailers ?? Metadata.Empty);
            }
        }
        return new RpcException(new Status(fallbackCode, fallbackMessage));
    }

    public IAsyncStreamReader<TResponse> CreateResponseStream() => new HttpClientStreamReader<TRequest, TResponse>(this);

    /// <summary>Next response message of a streaming call, or null at its end (status OK).</summary>
    internal async Task<TResponse?> ReadNextAsync()
    {
        try
        {
            await _headersTask!.ConfigureAwait(false);
            if (_trailersOnly)
            {
                ThrowIfError();
                return null;
            }
            var message = await _reader!.ReadAsync(_method.ResponseMarshaller.ContextualDeserializer, _token).ConfigureAwait(false);
            if (message is not null) return message;
            ReadTrailers();
            CleanUp();
            ThrowIfError();
            return null;
        }
        catch (Exception ex)
        {
            CleanUp();
            throw Fail(ex);
        }
    }

    private void ThrowIfError()
    {
        lock (_lock)
        {
            if (_status is { } status && status.StatusCode != StatusCode.OK)
            {
                throw new RpcException(status, _trailers ?? Metadata.Empty);
            }
        }
    }

    private void ReadTrailers()
    {
        var response = _response!;
        var trailers = new Metadata();
        string? status = null, message = null;
        foreach (var header in response.TrailingHeaders)
        {
            if (header.Key.Equals(GrpcProtocol.StatusTrailer, StringComparison.OrdinalIgnoreCase)) status = header.Value.FirstOrDefault();
            else if (header.Key.Equals(GrpcProtocol.MessageTrailer, StringComparison.OrdinalIgnoreCase)) message = header.Value.FirstOrDefault();
            else if (!GrpcProtocol.IsReservedHeader(header.Key)) GrpcProtocol.AddHeaderToMetadata(trailers, header.Key, header.Value);
        }
        Settle(status is null ? new Status(StatusCode.Internal, "No grpc-status found on response.") : ParseStatus(status, message), trailers);
        ThrowIfError();
    }

    private static Status ParseStatus(string? code, string? message)
    {
        if (!int.TryParse(code, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            return new Status(StatusCode.Unknown, $"Unexpected grpc-status value: {code}");
        }
        return new Status((StatusCode)value, GrpcProtocol.PercentDecode(message));
    }

    internal static StatusCode MapHttpStatus(HttpStatusCode code) => (int)code switch
    {
        400 => StatusCode.Internal,
        401 => StatusCode.Unauthenticated,
        403 => StatusCode.PermissionDenied,
        404 => StatusCode.Unimplemented,
        429 or 502 or 503 or 504 => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };

    // ---- settling ----

    private void Settle(Status status, Metadata trailers)
    {
        lock (_lock)
        {
            if (_status is not null) return;
            _status = status;
            _trailers = trailers;
        }
    }

    /// <summary>Settles the call from a failure (if not settled yet) and returns the exception to throw.</summary>
    public RpcException Fail(Exception exception)
    {
        var status = exception switch
        {
            _ when Volatile.Read(ref _cancelReason) == CancelByDeadline => new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"),
            _ when Volatile.Read(ref _cancelReason) != CancelNone => new Status(StatusCode.Cancelled, "Call canceled by the client."),
            RpcException rpc => rpc.Status,
            _ => MapTransportError(exception),
        };
        Metadata trailers = exception is RpcException r ? r.Trailers : Metadata.Empty;
        Status settled;
        lock (_lock)
        {
            if (_status is null)
            {
                _status = status;
                _trailers = trailers;
            }
            settled = _status.Value;
            trailers = _trailers!;
        }
        if (settled.StatusCode != StatusCode.OK)
        {
            // Stop the HTTP/2 stream: the server learns of it through RST_STREAM.
            Cancel(CancelByDispose);
        }
        return exception is RpcException same && same.Status == settled && ReferenceEquals(same.Trailers, trailers)
            ? same
            : new RpcException(settled, trailers);
    }

    private static Status MapTransportError(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpProtocolException protocol)
            {
                var code = protocol.ErrorCode switch
                {
                    0x7 => StatusCode.Unavailable, // REFUSED_STREAM
                    0x8 => StatusCode.Cancelled, // CANCEL
                    0xb => StatusCode.ResourceExhausted, // ENHANCE_YOUR_CALM
                    0xc => StatusCode.PermissionDenied, // INADEQUATE_SECURITY
                    _ => StatusCode.Internal,
                };
                return new Status(code, $"Error received from peer: HTTP/2 error code {protocol.ErrorCode}.", exception);
            }
        }
        if (exception is HttpRequestException or IOException or SocketException)
        {
            return new Status(StatusCode.Unavailable, $"Error connecting to or reading from the server: {exception.GetType().Name}: {exception.Message}", exception);
        }
        if (exception is OperationCanceledException)
        {
            return new Status(StatusCode.Cancelled, "Call canceled.", exception);
        }
        return new Status(StatusCode.Internal, $"Error in the gRPC call: {exception.GetType().Name}: {exception.Message}", exception);
    }

    internal void Cancel(int reason, bool setReason = true)
    {
        if (setReason) Interlocked.CompareExchange(ref _cancelReason, reason, CancelNone);
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public Status GetStatus()
    {
        lock (_lock)
        {
            return _status ?? throw new InvalidOperationException("Unable to get the status because the call is not complete.");
        }
    }

    public Metadata GetTrailers()
    {
        lock (_lock)
        {
            return _status is null
                ? throw new InvalidOperationException("Can't get the call trailers because the call has not completed successfully.")
                : _trailers!;
        }
    }

    private void CleanUp()
    {
        HttpResponseMessage? response;
        lock (_lock)
        {
            if (_cleanedUp) return;
            _cleanedUp = true;
            response = _response;
        }
        _callerRegistration.Dispose();
        _deadlineTimer?.Dispose();
        response?.Dispose();
        _cts.Dispose();
    }

    public void Dispose()
    {
        bool settled;
        lock (_lock) settled = _status is not null;
        if (!settled)
        {
            Cancel(CancelByDispose);
            Settle(new Status(StatusCode.Cancelled, "gRPC call disposed."), Metadata.Empty);
        }
        CleanUp();
    }
}
