using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Wsis.Gateway.Proxy;

namespace Wsis.Gateway.Relay;

/// <summary>One client connection on the gateway's cleartext HTTP/2 (gRPC) port, relayed frame by
/// frame. A gRPC call the gateway would simply forward (a route matches, no token to check, not a
/// rate-limited path, a destination is connected) goes straight to a destination's connection: its
/// header block decoded and re-encoded (routing, forwarding headers), its DATA copied within both
/// sides' flow-control windows. Every other stream goes, unchanged, into the slow lane: an in-memory
/// connection to the gateway's own HTTP/2 server (Kestrel and the whole pipeline: token checks, rate
/// limits, JSON, health, the forwarder with its retries), which sees the client's own address.
/// All state is guarded by one lock; frames to each peer are batched by a <see cref="FrameOutput"/>.</summary>
internal sealed partial class RelayConnection
{
    // What the relay announces to clients (Kestrel's defaults for the same limits).
    internal const int MaxConcurrentStreams = 100;
    internal const int StreamWindow = 768 * 1024;
    internal const int ConnectionWindow = 1024 * 1024;
    internal const int MaxFrameSize = 16_384;
    internal const int MaxHeaderListSize = 32 * 1024;

    private readonly object _gate = new();
    private readonly List<FrameOutput> _ready = [];
    private readonly ConnectionContext _connection;
    private readonly ConnectionDelegate _server;
    private readonly GrpcRelay _relay;
    private readonly FrameOutput _toClient;
    private readonly HpackDecoder _decoder = new(4096, MaxHeaderListSize);
    private readonly Dictionary<int, RelayStream> _streams = [];
    private readonly Dictionary<DestinationState, Upstream> _upstreams = [];
    private readonly List<KeyValuePair<string, string>> _fields = new(16);
    private readonly PathDecisions _paths = new();
    private readonly ArrayBufferWriter<byte> _encoded = new(512);
    private readonly ArrayBufferWriter<byte> _clientBlock = new(512);
    private readonly string? _remoteAddress;
    private readonly CancellationTokenSource _closing = new();
    private Upstream? _slowLane;
    private int _clientBlockStream;
    private byte _clientBlockFlags;
    private int _lastClientStream;
    private bool _settingsSeen;
    private int _clientMaxFrameSize = 16_384;
    private int _clientInitialWindow = 65_535;
    private long _clientSendWindow = 65_535;
    private int _receiveWindow = ConnectionWindow;
    private int _unacknowledged;
    private bool _goingAway;
    private bool _clientGoneAway;
    private bool _ended;
    private long _lastActivity;
    private int _resets;
    private long _resetWindowStart;

    public RelayConnection(ConnectionContext connection, ConnectionDelegate server, GrpcRelay relay)
    {
        _connection = connection;
        _server = server;
        _relay = relay;
        var output = connection.Transport.Output;
        _toClient = new FrameOutput(_gate, _ready, async batch =>
        {
            var result = await output.WriteAsync(batch).ConfigureAwait(false);
            if (result.IsCompleted || result.IsCanceled)
            {
                throw new ConnectionAbortedException("the client stopped reading");
            }
        });
        _remoteAddress = (connection.RemoteEndPoint as IPEndPoint)?.Address.ToString();
        _lastActivity = relay.Time.GetTimestamp();
    }

    /// <summary>Relays until the client connection ends. The preface was checked by the caller (not consumed).</summary>
    public async Task RunAsync()
    {
        using var timer = _relay.Time.CreateTimer(static s => ((RelayConnection)s!).OnTick(), this, GrpcRelay.TickPeriod, GrpcRelay.TickPeriod);
        using var stopping = _relay.Stopping.Register(static s => ((RelayConnection)s!).BeginShutdown(), this);
        Http2Error error = Http2Error.NoError;
        string? reason = null;
        try
        {
            lock (_gate)
            {
                WriteServerSettings();
            }
            FlushReady();
            await ReadClientAsync().ConfigureAwait(false);
        }
        catch (Http2ConnectionException e)
        {
            error = e.Error;
            reason = e.Message;
            GrpcRelay.LogProtocolError(_relay.Logger, _connection.ConnectionId, e.Error.ToString(), e.Message);
        }
        catch (Exception e) when (e is IOException or ConnectionResetException or ConnectionAbortedException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away.
        }
        catch (Exception e)
        {
            error = Http2Error.InternalError;
            GrpcRelay.LogRelayFailed(_relay.Logger, _connection.ConnectionId, e);
        }
        lock (_gate)
        {
            if (!_ended)
            {
                if (error != Http2Error.NoError || !_clientGoneAway)
                {
                    _toClient.WriteGoAway(_lastClientStream, error, reason);
                }
                EndAll();
            }
            _toClient.Complete();
        }
        FlushReady();
        try
        {
            await _toClient.Completion.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The client is gone or not reading: nothing more to tell it.
        }
        await _connection.Transport.Output.CompleteAsync().ConfigureAwait(false);
        await _connection.Transport.Input.CompleteAsync().ConfigureAwait(false);
    }

    /// <summary>Writes the frames produced under the lock (call it without the lock held).</summary>
    private void FlushReady() => FrameOutput.FlushReady(_gate, _ready);

    private void WriteServerSettings()
    {
        Span<byte> settings = stackalloc byte[18];
        WriteSetting(settings, SettingId.MaxConcurrentStreams, MaxConcurrentStreams);
        WriteSetting(settings[6..], SettingId.InitialWindowSize, StreamWindow);
        WriteSetting(settings[12..], SettingId.MaxHeaderListSize, MaxHeaderListSize);
        _toClient.WriteFrame(FrameType.Settings, 0, 0, settings);
        _toClient.WriteWindowUpdate(0, ConnectionWindow - 65_535);
    }

    private static void WriteSetting(Span<byte> destination, ushort id, int value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, id);
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], (uint)value);
    }

    private async Task ReadClientAsync()
    {
        var input = _connection.Transport.Input;
        var preface = true;
        while (true)
        {
            var result = await input.ReadAsync().ConfigureAwait(false);
            var buffer = result.Buffer;
            if (preface)
            {
                if (buffer.Length < Http2Preface.Bytes.Length)
                {
                    if (result.IsCompleted)
                    {
                        return;
                    }
                    input.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }
                buffer = buffer.Slice(Http2Preface.Bytes.Length);
                preface = false;
            }
            lock (_gate)
            {
                _lastActivity = _relay.Time.GetTimestamp();
                while (FrameHeader.TryRead(ref buffer, out var header, out var payload))
                {
                    if (header.Length > MaxFrameSize)
                    {
                        throw new Http2ConnectionException(Http2Error.FrameSizeError, $"a {header.Type} frame of {header.Length} bytes exceeds the maximum frame size {MaxFrameSize}");
                    }
                    OnClientFrame(header, payload);
                }
                if (buffer.Length >= FrameHeader.Size && PeekLength(buffer) > MaxFrameSize)
                {
                    throw new Http2ConnectionException(Http2Error.FrameSizeError, $"a frame of {PeekLength(buffer)} bytes exceeds the maximum frame size {MaxFrameSize}");
                }
                if (_toClient.Overflowed)
                {
                    throw new Http2ConnectionException(Http2Error.EnhanceYourCalm, "the client does not read what it asks for");
                }
            }
            FlushReady();
            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted || _ended)
            {
                return;
            }
        }
    }

    private static int PeekLength(in ReadOnlySequence<byte> buffer)
    {
        Span<byte> raw = stackalloc byte[3];
        buffer.Slice(0, 3).CopyTo(raw);
        return raw[0] << 16 | raw[1] << 8 | raw[2];
    }

    private void OnClientFrame(in FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        if (!_settingsSeen)
        {
            if (header.Type != FrameType.Settings || header.Has(FrameFlags.Ack))
            {
                throw new Http2ConnectionException(Http2Error.ProtocolError, "the connection preface must be followed by SETTINGS");
            }
            _settingsSeen = true;
        }
        if (_clientBlockStream != 0 && header.Type != FrameType.Continuation)
        {
            throw new Http2ConnectionException(Http2Error.ProtocolError, $"a {header.Type} frame arrived inside a header block (CONTINUATION expected)");
        }
        switch (header.Type)
        {
            case FrameType.Data:
                OnClientData(header, payload);
                break;
            case FrameType.Headers:
                OnClientHeaders(header, payload);
                break;
            case FrameType.Continuation:
                OnClientContinuation(header, payload);
                break;
            case FrameType.Priority:
                if (header.StreamId == 0 || header.Length != 5)
                {
                    throw new Http2ConnectionException(header.StreamId == 0 ? Http2Error.ProtocolError : Http2Error.FrameSizeError, "malformed PRIORITY frame");
                }
                break;
            case FrameType.RstStream:
                OnClientReset(header, payload);
                break;
            case FrameType.Settings:
                OnClientSettings(header, payload);
                break;
            case FrameType.PushPromise:
                throw new Http2ConnectionException(Http2Error.ProtocolError, "a client may not send PUSH_PROMISE");
            case FrameType.Ping:
                if (header.StreamId != 0 || header.Length != 8)
                {
                    throw new Http2ConnectionException(header.StreamId != 0 ? Http2Error.ProtocolError : Http2Error.FrameSizeError, "malformed PING frame");
                }
                if (!header.Has(FrameFlags.Ack))
                {
                    _toClient.WriteFrame(FrameType.Ping, FrameFlags.Ack, 0, payload);
                }
                break;
            case FrameType.GoAway:
                if (header.StreamId != 0 || header.Length < 8)
                {
                    throw new Http2ConnectionException(Http2Error.ProtocolError, "malformed GOAWAY frame");
                }
                _clientGoneAway = true;
                _goingAway = true;
                EndIfIdle();
                break;
            case FrameType.WindowUpdate:
                OnClientWindowUpdate(header, payload);
                break;
            default:
                break; // Unknown frame types are ignored (RFC 9113 section 4.1).
        }
    }

    private void OnClientSettings(in FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        if (header.StreamId != 0)
        {
            throw new Http2ConnectionException(Http2Error.ProtocolError, "SETTINGS on a stream");
        }
        if (header.Has(FrameFlags.Ack))
        {
            if (header.Length != 0)
            {
                throw new Http2ConnectionException(Http2Error.FrameSizeError, "SETTINGS acknowledgement with a payload");
            }
            return;
        }
        foreach (var (id, value) in ReadSettings(payload))
        {
            switch (id)
            {
                case SettingId.EnablePush when value > 1:
                    throw new Http2ConnectionException(Http2Error.ProtocolError, "SETTINGS_ENABLE_PUSH must be 0 or 1");
                case SettingId.InitialWindowSize:
                    if (value > int.MaxValue)
                    {
                        throw new Http2ConnectionException(Http2Error.FlowControlError, "SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1");
                    }
                    var delta = (int)value - _clientInitialWindow;
                    _clientInitialWindow = (int)value;
                    foreach (var stream in _streams.Values)
                    {
                        stream.ClientSendWindow += delta;
                        if (stream.ClientSendWindow > int.MaxValue)
                        {
                            throw new Http2ConnectionException(Http2Error.FlowControlError, "a stream window passed 2^31-1");
                        }
                    }
                    if (delta > 0)
                    {
                        foreach (var stream in _streams.Values)
                        {
                            PumpToClient(stream);
                        }
                    }
                    break;
                case SettingId.MaxFrameSize:
                    if (value is < 16_384 or > 16_777_215)
                    {
                        throw new Http2ConnectionException(Http2Error.ProtocolError, "SETTINGS_MAX_FRAME_SIZE out of range");
                    }
                    _clientMaxFrameSize = (int)value;
                    break;
            }
        }
        _toClient.WriteFrame(FrameType.Settings, FrameFlags.Ack, 0, ReadOnlySpan<byte>.Empty);
    }

    private void OnClientWindowUpdate(in FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        if (header.Length != 4)
        {
            throw new Http2ConnectionException(Http2Error.FrameSizeError, "WINDOW_UPDATE payload not 4 bytes");
        }
        var increment = ReadUInt31(payload);
        if (header.StreamId == 0)
        {
            if (increment == 0)
            {
                throw new Http2ConnectionException(Http2Error.ProtocolError, "WINDOW_UPDATE of 0 on the connection");
            }
            _clientSendWindow += increment;
            if (_clientSendWindow > int.MaxValue)
            {
                throw new Http2ConnectionException(Http2Error.FlowControlError, "the connection window passed 2^31-1");
            }
            foreach (var stream in _streams.Values)
            {
                if (stream.ToClient is { Count: > 0 })
                {
                    PumpToClient(stream);
                }
            }
            return;
        }
        if (!_streams.TryGetValue(header.StreamId, out var s))
        {
            if (header.StreamId > _lastClientStream)
            {
                throw new Http2ConnectionException(Http2Error.ProtocolError, "WINDOW_UPDATE on an idle stream");
            }
            return;
        }
        if (increment == 0)
        {
            ResetByRelay(s, Http2Error.ProtocolError);
            return;
        }
        s.ClientSendWindow += increment;
        if (s.ClientSendWindow > int.MaxValue)
        {
            ResetByRelay(s, Http2Error.FlowControlError);
            return;
        }
        PumpToClient(s);
    }

    private static int ReadUInt31(in ReadOnlySequence<byte> payload)
    {
        Span<byte> raw = stackalloc byte[4];
        payload.Slice(0, 4).CopyTo(raw);
        return (int)(BinaryPrimitives.ReadUInt32BigEndian(raw) & 0x7FFFFFFF);
    }

    private static uint ReadUInt32(in ReadOnlySequence<byte> payload, int offset)
    {
        Span<byte> raw = stackalloc byte[4];
        payload.Slice(offset, 4).CopyTo(raw);
        return BinaryPrimitives.ReadUInt32BigEndian(raw);
    }

    private void OnClientReset(in FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        if (header.StreamId == 0 || header.Length != 4)
        {
            throw new Http2ConnectionException(header.StreamId == 0 ? Http2Error.ProtocolError : Http2Error.FrameSizeError, "malformed RST_STREAM frame");
        }
        if (!_streams.TryGetValue(header.StreamId, out var s))
        {
            if (header.StreamId > _lastClientStream)
            {
                throw new Http2ConnectionException(Http2Error.ProtocolError, "RST_STREAM on an idle stream");
            }
            return;
        }
        CountReset();
        if (!s.UpstreamEnded && !s.Upstream.Closed)
        {
            s.Upstream.Output!.WriteRstStream(s.UpstreamId, s.Upstream.IsSlowLane ? (Http2Error)ReadUInt32(payload, 0) : Http2Error.Cancel);
        }
        Finish(s);
    }

    /// <summary>Rapid reset (CVE-2023-44487): a client that opens and cancels streams faster than
    /// they can be served loses its connection.</summary>
    private void CountReset()
    {
        var now = _relay.Time.GetTimestamp();
        if (_relay.Time.GetElapsedTime(_resetWindowStart, now) > TimeSpan.FromSeconds(1))
        {
            _resetWindowStart = now;
            _resets = 0;
        }
        if (++_resets > GrpcRelay.MaxResetsPerSecond)
        {
            throw new Http2ConnectionException(Http2Error.EnhanceYourCalm, "too many streams reset by the client");
        }
    }

    private void OnClientHeaders(in FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        var id = header.StreamId;
        if (id == 0 || (id & 1) == 0)
        {
            throw new Http2ConnectionException(Http2Error.ProtocolError, "HEADERS on stream 0 or an even stream");
        }
        var fragment = header.Content(payload);
        _clientBlock.Clear();
        Append(_clientBlock, fragment);
        _clientBlockFlags = header.Flags;
        if (header.Has(FrameFlags.EndHeaders))
        {
            OnClientHeaderBlock(id);
        }
        else
        {
            _clientBlockStream = id;
        }
    }

    private void OnClientContinuation(in FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        if (_clientBlockStream == 0 || header.StreamId != _clientBlockStream)
        {
            throw new Http2ConnectionException(Http2Error.ProtocolError, "CONTINUATION without a header block in progress on its stream");
        }
        if (_clientBlock.WrittenCount + payload.Length > MaxHeaderListSize * 2)
        {
            throw new Http2ConnectionException(Http2Error.EnhanceYourCalm, "header block too large");
        }
        Append(_clientBlock, payload);
        if (header.Has(FrameFlags.EndHeaders))
        {
            var id = _clientBlockStream;
            _clientBlockStream = 0;
            OnClientHeaderBlock(id);
        }
    }

    private static void Append(ArrayBufferWriter<byte> writer, in ReadOnlySequence<byte> bytes)
    {
        var length = (int)bytes.Length;
        bytes.CopyTo(writer.GetSpan(length));
        writer.Advance(length);
    }

    private void OnClientHeaderBlock(int id)
    {
        var endStream = (_clientBlockFlags & FrameFlags.EndStream) != 0;
        _fields.Clear();
        var tooLarge = false;
        try
        {
            _decoder.Decode(_clientBlock.WrittenSpan, _fields);
        }
        catch (HpackException e) when (e.ListTooLarge)
        {
            tooLarge = true;
        }
        catch (HpackException e)
        {
            throw new Http2ConnectionException(Http2Error.CompressionError, e.Message);
        }

        if (_streams.TryGetValue(id, out var existing))
        {
            // Trailers from the client: they end its side.
            if (!endStream || existing.ClientEnded)
            {
                throw new Http2ConnectionException(Http2Error.ProtocolError, "a second header block on a stream must end it");
            }
            existing.ClientEnded = true;
            _encoded.Clear();
            foreach (var (name, value) in _fields)
            {
                HpackEncoder.Encode(name, value, _encoded);
            }
            SendToUpstream(existing, Pending.Copy(_encoded.WrittenSpan, isHeaders: true, endStream: true));
            return;
        }
        if (id <= _lastClientStream)
        {
            throw new Http2ConnectionException(Http2Error.StreamClosed, "HEADERS on a closed stream");
        }
        _lastClientStream = id;
        if (_goingAway)
        {
            _toClient.WriteRstStream(id, Http2Error.RefusedStream);
            return;
        }
        if (_streams.Count >= MaxConcurrentStreams)
        {
            _toClient.WriteRstStream(id, Http2Error.RefusedStream);
            return;
        }
        if (tooLarge)
        {
            // Kestrel's answer to headers over its limit (431), for this stream only.
            WriteOwnResponse(id, 431, null, null, endStream: true);
            if (!endStream)
            {
                _toClient.WriteRstStream(id, Http2Error.NoError);
            }
            return;
        }
        var call = _relay.Classify(_fields, _paths);
        RelayStream? stream = null;
        if (call.Route is not null)
        {
            stream = TryOpenFast(id, call, endStream);
        }
        if (stream is not null)
        {
            _relay.CountCall(relayed: true);
        }
        else
        {
            stream = OpenSlow(id, endStream);
            if (stream is null)
            {
                _toClient.WriteRstStream(id, Http2Error.RefusedStream);
                return;
            }
            _relay.CountCall(relayed: false);
        }
        stream.ClientEnded = endStream;
    }

    private RelayStream? TryOpenFast(int id, in RelayCall call, bool endStream)
    {
        var cluster = call.Cluster!;
        var now = _relay.Time.GetUtcNow().UtcDateTime;
        var available = cluster.AvailableDestinations(now, attempted: null);
        if (available.Count == 0)
        {
            return null;
        }
        var destination = LoadBalancingPolicies.Pick(cluster, available);
        if (destination.Address.Scheme != Uri.UriSchemeHttp)
        {
            return null;
        }
        if (!_upstreams.TryGetValue(destination, out var upstream) || upstream.Closed)
        {
            StartConnecting(destination, cluster);
            return null;
        }
        if (!upstream.CanOpenStream || !cluster.TryEnterCall())
        {
            return null;
        }
        var stream = Open(id, upstream);
        stream.Route = call.Route;
        stream.Cluster = cluster;
        stream.Destination = destination;
        stream.ClientTimeout = call.ClientTimeout;
        if (call.Limit is { } limit)
        {
            stream.DeadlineTimestamp = _relay.Time.GetTimestamp() + (long)(limit.TotalSeconds * _relay.Time.TimestampFrequency);
        }
        destination.RequestStarted();
        _encoded.Clear();
        GrpcRelay.EncodeForwardedRequest(_fields, call, _remoteAddress, upstream.Encoder, _encoded);
        upstream.Output!.WriteHeaderBlock(stream.UpstreamId, _encoded.WrittenSpan, endStream, upstream.MaxFrameSize);
        return stream;
    }

    private RelayStream? OpenSlow(int id, bool endStream)
    {
        if (_slowLane is null || _slowLane.Closed)
        {
            _slowLane = StartSlowLane();
        }
        if (!_slowLane.CanOpenStream)
        {
            return null;
        }
        var stream = Open(id, _slowLane);
        _encoded.Clear();
        foreach (var (name, value) in _fields)
        {
            HpackEncoder.Encode(name, value, _encoded);
        }
        _slowLane.Output!.WriteHeaderBlock(stream.UpstreamId, _encoded.WrittenSpan, endStream, _slowLane.MaxFrameSize);
        return stream;
    }

    private RelayStream Open(int clientId, Upstream upstream)
    {
        var upstreamId = upstream.NextStreamId;
        upstream.NextStreamId += 2;
        var stream = new RelayStream(clientId, upstream, upstreamId)
        {
            UpstreamSendWindow = upstream.InitialSendWindow,
            ClientReceiveWindow = StreamWindow,
            ClientSendWindow = _clientInitialWindow,
        };
        _streams.Add(clientId, stream);
        upstream.Streams.Add(upstreamId, stream);
        return stream;
    }

    private void OnClientData(in FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        if (header.StreamId == 0)
        {
            throw new Http2ConnectionException(Http2Error.ProtocolError, "DATA on stream 0");
        }
        var length = header.Length;
        _receiveWindow -= length;
        if (_receiveWindow < 0)
        {
            throw new Http2ConnectionException(Http2Error.FlowControlError, "the client sent more than the connection window");
        }
        var data = header.Content(payload);
        if (!_streams.TryGetValue(header.StreamId, out var s))
        {
            if (header.StreamId > _lastClientStream)
            {
                throw new Http2ConnectionException(Http2Error.ProtocolError, "DATA on an idle stream");
            }
            // A stream that ended (or was refused) meanwhile: the bytes still count for the connection.
            CreditClient(null, length);
            return;
        }
        if (s.ClientEnded)
        {
            CreditClient(null, length);
            ResetByRelay(s, Http2Error.StreamClosed);
            return;
        }
        s.ClientReceiveWindow -= length;
        if (s.ClientReceiveWindow < 0)
        {
            CreditClient(null, length);
            ResetByRelay(s, Http2Error.FlowControlError);
            return;
        }
        var padding = length - (int)data.Length;
        if (padding > 0)
        {
            CreditClient(s, padding);
        }
        s.RequestBodyBytes += data.Length;
        if (s.RequestBodyBytes > _relay.MaxRequestBodySize && s.IsFast)
        {
            CreditClient(null, (int)data.Length);
            FailFast(s, GrpcProtocol.ResourceExhausted, $"request body larger than {_relay.MaxRequestBodySize} bytes");
            return;
        }
        var endStream = header.Has(FrameFlags.EndStream);
        s.ClientEnded = endStream;
        if (s.UpstreamEnded)
        {
            // The answer is complete: the rest of the request is not wanted.
            CreditClient(null, (int)data.Length);
            return;
        }
        var up = s.Upstream;
        var n = (int)data.Length;
        if ((s.ToUpstream is null || s.ToUpstream.Count == 0) && n <= up.SendWindow && n <= s.UpstreamSendWindow && n <= up.MaxFrameSize)
        {
            up.SendWindow -= n;
            s.UpstreamSendWindow -= n;
            up.Output!.WriteFrame(FrameType.Data, endStream ? FrameFlags.EndStream : (byte)0, s.UpstreamId, data);
            CreditClient(endStream ? null : s, n);
            return;
        }
        SendToUpstream(s, Pending.Copy(data, isHeaders: false, endStream));
    }

    private void SendToUpstream(RelayStream s, Pending pending)
    {
        (s.ToUpstream ??= new Queue<Pending>()).Enqueue(pending);
        PumpToUpstream(s);
    }

    /// <summary>Sends what the upstream's windows allow of a stream's waiting request pieces.</summary>
    private void PumpToUpstream(RelayStream s)
    {
        var queue = s.ToUpstream;
        var up = s.Upstream;
        if (queue is null || up.Output is null || up.Closed && !up.Streams.ContainsKey(s.UpstreamId))
        {
            return;
        }
        while (queue.Count > 0)
        {
            var p = queue.Peek();
            if (p.IsHeaders)
            {
                up.Output.WriteHeaderBlock(s.UpstreamId, p.Buffer.AsSpan(0, p.Length), p.EndStream, up.MaxFrameSize);
                queue.Dequeue();
                p.Return();
                continue;
            }
            var allowed = (int)Math.Min(Math.Min(up.SendWindow, s.UpstreamSendWindow), up.MaxFrameSize);
            if (p.Length > 0 && allowed <= 0)
            {
                return;
            }
            var n = Math.Min(p.Length, allowed);
            var last = n == p.Length;
            up.SendWindow -= n;
            s.UpstreamSendWindow -= n;
            up.Output.WriteFrame(FrameType.Data, last && p.EndStream ? FrameFlags.EndStream : (byte)0, s.UpstreamId, p.Buffer.AsSpan(0, n));
            CreditClient(s.ClientEnded && queue.Count == 1 && last ? null : s, n);
            queue.Dequeue();
            if (last)
            {
                p.Return();
            }
            else
            {
                RequeueRest(queue, p, n);
                return;
            }
        }
    }

    /// <summary>A SETTINGS frame's (identifier, value) pairs.</summary>
    private static List<(ushort Id, uint Value)> ReadSettings(in ReadOnlySequence<byte> payload)
    {
        if (payload.Length % 6 != 0)
        {
            throw new Http2ConnectionException(Http2Error.FrameSizeError, "SETTINGS payload not a multiple of 6 bytes");
        }
        var settings = new List<(ushort, uint)>((int)payload.Length / 6);
        Span<byte> raw = stackalloc byte[6];
        var reader = payload;
        while (reader.Length > 0)
        {
            reader.Slice(0, 6).CopyTo(raw);
            reader = reader.Slice(6);
            settings.Add((BinaryPrimitives.ReadUInt16BigEndian(raw), BinaryPrimitives.ReadUInt32BigEndian(raw[2..])));
        }
        return settings;
    }

    /// <summary>Puts back, first in the queue, what a window did not let through of a piece.</summary>
    private static void RequeueRest(Queue<Pending> queue, Pending sent, int n)
    {
        var rest = Pending.Copy(sent.Buffer.AsSpan(n, sent.Length - n), false, sent.EndStream);
        sent.Return();
        var others = queue.ToArray();
        queue.Clear();
        queue.Enqueue(rest);
        foreach (var o in others)
        {
            queue.Enqueue(o);
        }
    }

    /// <summary>Returns flow-control credit to the client for bytes it sent that were passed on
    /// (or dropped). Stream credit only while the client may still send on the stream.</summary>
    private void CreditClient(RelayStream? s, int n)
    {
        if (n <= 0)
        {
            return;
        }
        _unacknowledged += n;
        if (_unacknowledged >= ConnectionWindow / 2)
        {
            _toClient.WriteWindowUpdate(0, _unacknowledged);
            _receiveWindow += _unacknowledged;
            _unacknowledged = 0;
        }
        if (s is not null && !s.ClientEnded)
        {
            s.ClientUnacknowledged += n;
            if (s.ClientUnacknowledged >= StreamWindow / 2)
            {
                _toClient.WriteWindowUpdate(s.ClientId, s.ClientUnacknowledged);
                s.ClientReceiveWindow += s.ClientUnacknowledged;
                s.ClientUnacknowledged = 0;
            }
        }
    }

    /// <summary>The relay's own answer on a client stream (Kestrel-style status for protocol-level refusals).</summary>
    private void WriteOwnResponse(int streamId, int status, int? grpcStatus, string? message, bool endStream)
    {
        _encoded.Clear();
        HpackEncoder.Encode(":status", status.ToString(System.Globalization.CultureInfo.InvariantCulture), _encoded);
        if (grpcStatus is { } g)
        {
            HpackEncoder.Encode("content-type", GrpcProtocol.ContentType, _encoded);
            HpackEncoder.Encode(GrpcProtocol.StatusHeader, g.ToString(System.Globalization.CultureInfo.InvariantCulture), _encoded);
            if (message is not null)
            {
                HpackEncoder.Encode(GrpcProtocol.MessageHeader, GrpcProtocol.EncodeMessage(message), _encoded);
            }
        }
        _toClient.WriteHeaderBlock(streamId, _encoded.WrittenSpan, endStream, _clientMaxFrameSize);
    }

    /// <summary>Ends a relayed call with a gRPC status of the gateway's own, as the forwarder does:
    /// Trailers-Only before the answer started, trailers after; the destination's stream is cancelled.</summary>
    private void FailFast(RelayStream s, int grpcStatus, string message)
    {
        if (!s.UpstreamEnded && !s.Upstream.Closed)
        {
            s.Upstream.Output!.WriteRstStream(s.UpstreamId, Http2Error.Cancel);
        }
        DropQueue(s.ToClient, credit: null);
        if (!s.ResponseStarted)
        {
            WriteOwnResponse(s.ClientId, 200, grpcStatus, message, endStream: true);
        }
        else
        {
            _encoded.Clear();
            HpackEncoder.Encode(GrpcProtocol.StatusHeader, grpcStatus.ToString(System.Globalization.CultureInfo.InvariantCulture), _encoded);
            HpackEncoder.Encode(GrpcProtocol.MessageHeader, GrpcProtocol.EncodeMessage(message), _encoded);
            _toClient.WriteHeaderBlock(s.ClientId, _encoded.WrittenSpan, endStream: true, _clientMaxFrameSize);
        }
        if (!s.ClientEnded)
        {
            _toClient.WriteRstStream(s.ClientId, Http2Error.NoError);
        }
        Finish(s);
    }

    /// <summary>A stream error found by the relay: both sides' streams are reset.</summary>
    private void ResetByRelay(RelayStream s, Http2Error error)
    {
        if (!s.UpstreamEnded && !s.Upstream.Closed)
        {
            s.Upstream.Output!.WriteRstStream(s.UpstreamId, Http2Error.Cancel);
        }
        _toClient.WriteRstStream(s.ClientId, error);
        Finish(s);
    }

    /// <summary>Forgets a stream on both sides; what it held of either connection's window is returned.</summary>
    private void Finish(RelayStream s)
    {
        if (!_streams.Remove(s.ClientId))
        {
            return;
        }
        s.Upstream.Streams.Remove(s.UpstreamId);
        DropQueue(s.ToUpstream, credit: this);
        DropQueue(s.ToClient, credit: null, upstream: s.Upstream);
        if (s.Destination is { } destination)
        {
            destination.RequestEnded();
            s.Cluster!.ExitCall();
        }
        if (s.Upstream.Closed && s.Upstream.Streams.Count == 0)
        {
            s.Upstream.Close?.Invoke();
        }
        EndIfIdle();
    }

    private static void DropQueue(Queue<Pending>? queue, RelayConnection? credit, Upstream? upstream = null)
    {
        if (queue is null)
        {
            return;
        }
        while (queue.TryDequeue(out var p))
        {
            if (!p.IsHeaders)
            {
                credit?.CreditClient(null, p.Length);
                if (upstream is not null)
                {
                    CreditUpstream(upstream, null, p.Length);
                }
            }
            p.Return();
        }
    }

    private void EndIfIdle()
    {
        if (_goingAway && _streams.Count == 0 && !_ended)
        {
            if (!_clientGoneAway)
            {
                _toClient.WriteGoAway(_lastClientStream, Http2Error.NoError);
            }
            EndAll();
        }
    }

    /// <summary>Graceful shutdown of the gateway: no new streams, the calls in progress finish.</summary>
    private void BeginShutdown()
    {
        lock (_gate)
        {
            if (_goingAway || _ended)
            {
                return;
            }
            _goingAway = true;
            _toClient.WriteGoAway(int.MaxValue, Http2Error.NoError);
            _toClient.WriteFrame(FrameType.Ping, 0, 0, stackalloc byte[8]);
            EndIfIdle();
        }
        FlushReady();
    }

    /// <summary>Ends the client connection: every stream and upstream connection is closed.</summary>
    private void EndAll()
    {
        _ended = true;
        foreach (var s in _streams.Values.ToArray())
        {
            if (!s.UpstreamEnded && !s.Upstream.Closed)
            {
                s.Upstream.Output?.WriteRstStream(s.UpstreamId, Http2Error.Cancel);
            }
            Finish(s);
        }
        foreach (var up in _upstreams.Values)
        {
            CloseUpstream(up);
        }
        if (_slowLane is not null)
        {
            CloseUpstream(_slowLane);
        }
        _toClient.Complete();
        _connection.Transport.Input.CancelPendingRead();
        _closing.Cancel();
    }

    private static void CloseUpstream(Upstream up)
    {
        up.Closed = true;
        if (up.Output is { } output)
        {
            output.WriteGoAway(0, Http2Error.NoError);
            output.Complete();
        }
        up.Close?.Invoke();
    }

    private void OnTick()
    {
        CheckTimes();
        FlushReady();
    }

    private void CheckTimes()
    {
        lock (_gate)
        {
            if (_ended)
            {
                return;
            }
            var now = _relay.Time.GetTimestamp();
            if (_streams.Count == 0)
            {
                var idle = _relay.Time.GetElapsedTime(_lastActivity, now);
                if (!_settingsSeen && idle > _relay.HandshakeTimeout || idle > _relay.IdleTimeout)
                {
                    _goingAway = true;
                    EndIfIdle();
                    _connection.Transport.Input.CancelPendingRead();
                }
                return;
            }
            List<RelayStream>? expired = null;
            foreach (var s in _streams.Values)
            {
                if (s.DeadlineTimestamp != 0 && now >= s.DeadlineTimestamp)
                {
                    (expired ??= []).Add(s);
                }
            }
            if (expired is null)
            {
                return;
            }
            foreach (var s in expired)
            {
                var clientGoverns = RequestForwarder.ClientDeadlineGovernsOver(s.ClientTimeout, s.Route!.Timeout);
                RequestForwarder.LogTimedOut(_relay.Logger, s.Route!.Name, s.Destination!.Name, clientGoverns ? "client deadline" : "route timeout");
                var (status, message) = RequestForwarder.TimedOut(clientGoverns, s.Route, s.Cluster!, reached: true);
                FailFast(s, status, message);
            }
        }
    }
}
