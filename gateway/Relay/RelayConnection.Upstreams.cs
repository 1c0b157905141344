using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Wsis.Gateway.Proxy;

namespace Wsis.Gateway.Relay;

internal sealed partial class RelayConnection
{
    /// <summary>Opens a connection to a destination in the background; calls go the slow way until it is up.</summary>
    private void StartConnecting(DestinationState destination, ClusterState cluster)
    {
        if (_upstreams.TryGetValue(destination, out var existing))
        {
            if (!existing.Closed)
            {
                return; // connecting
            }
            if (_relay.Time.GetElapsedTime(existing.FailedAt) < GrpcRelay.ReconnectPause)
            {
                return;
            }
        }
        var up = new Upstream(destination, cluster);
        _upstreams[destination] = up;
        _ = ConnectAsync(up);
    }

    private async Task ConnectAsync(Upstream up)
    {
        var destination = up.Destination!;
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token))
            {
                timeout.CancelAfter(_relay.ConnectTimeout);
                await socket.ConnectAsync(destination.Address.Host, destination.Address.Port, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            socket.Dispose();
            lock (_gate)
            {
                up.Closed = true;
                up.FailedAt = _relay.Time.GetTimestamp();
            }
            GrpcRelay.LogConnectFailed(_relay.Logger, destination.Name, e.GetType().Name);
            return;
        }
        var stream = new NetworkStream(socket, ownsSocket: true);
        var input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024));
        lock (_gate)
        {
            if (_ended || up.Closed)
            {
                stream.Dispose();
                return;
            }
            up.Input = input;
            up.Close = () => socket.Shutdown(SocketShutdown.Both);
            up.Output = new FrameOutput(_gate, _ready, async batch =>
            {
                await socket.SendAsync(batch, SocketFlags.None).ConfigureAwait(false);
            });
            WriteClientPreface(up);
            up.Ready = true;
        }
        FlushReady();
        await RunUpstreamAsync(up, up.Output!.Completion).ConfigureAwait(false);
        stream.Dispose();
    }

    /// <summary>The slow lane: an in-memory connection to the gateway's own HTTP/2 server, with the
    /// client connection's features (its addresses, TLS, lifetime) so the pipeline sees the client.</summary>
    private Upstream StartSlowLane()
    {
        var up = new Upstream(null, null);
        var toServer = new Pipe(new PipeOptions(useSynchronizationContext: false));
        var fromServer = new Pipe(new PipeOptions(useSynchronizationContext: false));
        // Kestrel aborting the lane ends the relay's reading; the relay's writing ends the lane's
        // input (only once the write loop is done: a pipe writer is not completed under a write).
        var lane = new SlowLaneConnection(_connection, new DuplexPipe(toServer.Reader, fromServer.Writer),
            () => fromServer.Reader.CancelPendingRead());
        up.Input = fromServer.Reader;
        var writer = toServer.Writer;
        up.Output = new FrameOutput(_gate, _ready, async batch =>
        {
            var result = await writer.WriteAsync(batch).ConfigureAwait(false);
            if (result.IsCompleted)
            {
                throw new ConnectionAbortedException("the slow lane ended");
            }
        });
        WriteClientPreface(up);
        up.Ready = true;
        var server = Task.Run(() => _server(lane));
        _ = RunSlowLaneAsync(up, lane, server, writer);
        return up;
    }

    private async Task RunSlowLaneAsync(Upstream up, SlowLaneConnection lane, Task server, PipeWriter toServer)
    {
        await RunUpstreamAsync(up, WriteThenCompleteAsync(up.Output!, toServer)).ConfigureAwait(false);
        try
        {
            await server.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            GrpcRelay.LogRelayFailed(_relay.Logger, _connection.ConnectionId, e);
        }
        await lane.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task WriteThenCompleteAsync(FrameOutput output, PipeWriter writer)
    {
        try
        {
            await output.Completion.ConfigureAwait(false);
        }
        finally
        {
            await writer.CompleteAsync().ConfigureAwait(false);
        }
    }

    private void WriteClientPreface(Upstream up)
    {
        var output = up.Output!;
        output.WriteRaw(Http2Preface.Bytes);
        Span<byte> settings = stackalloc byte[18];
        // Header table size 0: the upstream's header blocks refer to nothing earlier, so they can be
        // forwarded to the client as they are.
        WriteSetting(settings, SettingId.HeaderTableSize, 0);
        WriteSetting(settings[6..], SettingId.EnablePush, 0);
        WriteSetting(settings[12..], SettingId.InitialWindowSize, StreamWindow);
        output.WriteFrame(FrameType.Settings, 0, 0, settings);
        output.WriteWindowUpdate(0, ConnectionWindow - 65_535);
        up.ReceiveWindow = ConnectionWindow;
    }

    private async Task RunUpstreamAsync(Upstream up, Task writer)
    {
        var input = up.Input!;
        string? failure = null;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                lock (_gate)
                {
                    while (FrameHeader.TryRead(ref buffer, out var header, out var payload))
                    {
                        if (header.Length > MaxFrameSize)
                        {
                            throw new Http2ConnectionException(Http2Error.FrameSizeError, $"upstream frame of {header.Length} bytes");
                        }
                        OnUpstreamFrame(up, header, payload);
                    }
                }
                FlushReady();
                input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    failure = "the connection closed";
                    break;
                }
            }
        }
        catch (Http2ConnectionException e)
        {
            failure = $"protocol error ({e.Error}): {e.Message}";
            lock (_gate)
            {
                up.Output?.WriteGoAway(up.NextStreamId, e.Error);
            }
            FlushReady();
        }
        catch (Exception e)
        {
            failure = e.GetType().Name;
        }
        lock (_gate)
        {
            UpstreamEnded(up, failure);
        }
        FlushReady();
        try
        {
            await writer.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Already reflected in the calls it carried.
        }
        await input.CompleteAsync().ConfigureAwait(false);
    }

    /// <summary>The upstream connection is gone: its calls end with a status (or a reset on the slow lane).</summary>
    private void UpstreamEnded(Upstream up, string? failure)
    {
        var hadStreams = up.Streams.Count > 0;
        up.Closed = true;
        up.FailedAt = _relay.Time.GetTimestamp();
        up.Output?.Complete();
        if (_ended)
        {
            return;
        }
        foreach (var s in up.Streams.Values.ToArray())
        {
            s.UpstreamEnded = true;
            if (s.IsFast)
            {
                var (status, message) = RequestForwarder.StatusForReset(null, s.Cluster!);
                FailFast(s, status, s.ResponseStarted ? message + " during the call" : message);
            }
            else
            {
                ResetByRelay(s, Http2Error.InternalError);
            }
        }
        if (up.Destination is { } destination && hadStreams && failure is not null)
        {
            GrpcRelay.LogUpstreamLost(_relay.Logger, destination.Name, failure);
            _relay.Forwarder.ReportTransportFailure(up.Cluster!, destination);
        }
    }

    private void OnUpstreamFrame(Upstream up, in FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        if (up.HeaderBlockStream != 0 && header.Type != FrameType.Continuation)
        {
            throw new Http2ConnectionException(Http2Error.ProtocolError, "frame inside a header block");
        }
        switch (header.Type)
        {
            case FrameType.Data:
                OnUpstreamData(up, header, payload);
                break;
            case FrameType.Headers:
            {
                var fragment = header.Content(payload);
                up.HeaderBlock.Clear();
                Append(up.HeaderBlock, fragment);
                up.HeaderBlockFlags = header.Flags;
                if (header.Has(FrameFlags.EndHeaders))
                {
                    OnUpstreamHeaderBlock(up, header.StreamId);
                }
                else
                {
                    up.HeaderBlockStream = header.StreamId;
                }
                break;
            }
            case FrameType.Continuation:
                if (up.HeaderBlockStream == 0 || header.StreamId != up.HeaderBlockStream)
                {
                    throw new Http2ConnectionException(Http2Error.ProtocolError, "CONTINUATION out of place");
                }
                Append(up.HeaderBlock, payload);
                if (header.Has(FrameFlags.EndHeaders))
                {
                    var id = up.HeaderBlockStream;
                    up.HeaderBlockStream = 0;
                    OnUpstreamHeaderBlock(up, id);
                }
                break;
            case FrameType.RstStream:
                if (header.Length == 4 && up.Streams.TryGetValue(header.StreamId, out var reset))
                {
                    OnUpstreamReset(reset, (Http2Error)ReadUInt32(payload, 0));
                }
                break;
            case FrameType.Settings:
                if (!header.Has(FrameFlags.Ack))
                {
                    OnUpstreamSettings(up, payload);
                }
                break;
            case FrameType.Ping:
                if (!header.Has(FrameFlags.Ack) && header.Length == 8)
                {
                    up.Output!.WriteFrame(FrameType.Ping, FrameFlags.Ack, 0, payload);
                }
                break;
            case FrameType.GoAway:
                if (header.Length >= 8)
                {
                    OnUpstreamGoAway(up, (int)(ReadUInt32(payload, 0) & 0x7FFFFFFF), (Http2Error)ReadUInt32(payload, 4));
                }
                break;
            case FrameType.WindowUpdate:
                if (header.Length == 4)
                {
                    OnUpstreamWindowUpdate(up, header.StreamId, ReadUInt31(payload));
                }
                break;
            case FrameType.PushPromise:
                throw new Http2ConnectionException(Http2Error.ProtocolError, "PUSH_PROMISE although push is disabled");
            default:
                break;
        }
    }

    private void OnUpstreamSettings(Upstream up, in ReadOnlySequence<byte> payload)
    {
        foreach (var (id, value) in ReadSettings(payload))
        {
            switch (id)
            {
                case SettingId.HeaderTableSize:
                    up.Encoder.SetMaxTableSize((int)Math.Min(value, 4096u));
                    break;
                case SettingId.MaxConcurrentStreams:
                    up.MaxConcurrentStreams = (int)Math.Min(value, int.MaxValue);
                    break;
                case SettingId.MaxFrameSize:
                    up.MaxFrameSize = (int)Math.Clamp(value, 16_384u, 16_777_215u);
                    break;
                case SettingId.InitialWindowSize:
                    if (value > int.MaxValue)
                    {
                        throw new Http2ConnectionException(Http2Error.FlowControlError, "SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1");
                    }
                    var delta = (int)value - up.InitialSendWindow;
                    up.InitialSendWindow = (int)value;
                    foreach (var s in up.Streams.Values)
                    {
                        s.UpstreamSendWindow += delta;
                    }
                    if (delta > 0)
                    {
                        foreach (var s in up.Streams.Values)
                        {
                            PumpToUpstream(s);
                        }
                    }
                    break;
            }
        }
        up.Output!.WriteFrame(FrameType.Settings, FrameFlags.Ack, 0, ReadOnlySpan<byte>.Empty);
    }

    private void OnUpstreamWindowUpdate(Upstream up, int streamId, int increment)
    {
        if (streamId == 0)
        {
            up.SendWindow += increment;
            foreach (var s in up.Streams.Values)
            {
                if (s.ToUpstream is { Count: > 0 })
                {
                    PumpToUpstream(s);
                }
            }
            return;
        }
        if (up.Streams.TryGetValue(streamId, out var stream))
        {
            stream.UpstreamSendWindow += increment;
            PumpToUpstream(stream);
        }
    }

    private void OnUpstreamGoAway(Upstream up, int lastStreamId, Http2Error error)
    {
        up.Closed = true;
        foreach (var s in up.Streams.Values.ToArray())
        {
            if (s.UpstreamId > lastStreamId)
            {
                // Never processed: the client may safely try again.
                s.UpstreamEnded = true;
                if (s.IsFast)
                {
                    var (status, message) = RequestForwarder.StatusForReset((long)Http2Error.RefusedStream, s.Cluster!);
                    FailFast(s, status, message);
                }
                else
                {
                    _toClient.WriteRstStream(s.ClientId, Http2Error.RefusedStream);
                    Finish(s);
                }
            }
        }
        if (error != Http2Error.NoError && up.Destination is { } destination)
        {
            GrpcRelay.LogUpstreamLost(_relay.Logger, destination.Name, $"GOAWAY {error}");
        }
        if (up.Streams.Count == 0)
        {
            up.Output?.Complete();
            up.Close?.Invoke();
        }
    }

    private void OnUpstreamReset(RelayStream s, Http2Error error)
    {
        s.UpstreamEnded = true;
        if (!s.IsFast)
        {
            // The gateway's own server reset the stream: the client sees exactly that.
            DropQueue(s.ToClient, credit: null, upstream: s.Upstream);
            _toClient.WriteRstStream(s.ClientId, error);
            Finish(s);
            return;
        }
        if (error == Http2Error.NoError && (s.ClientEnded || s.ToClient is { Count: > 0 }))
        {
            // NO_ERROR after a complete answer: the destination only stops the request body.
            return;
        }
        var (status, message) = RequestForwarder.StatusForReset((long)error, s.Cluster!);
        FailFast(s, status, s.ResponseStarted ? message + " during the call" : message);
    }

    private void OnUpstreamHeaderBlock(Upstream up, int upstreamId)
    {
        var endStream = (up.HeaderBlockFlags & FrameFlags.EndStream) != 0;
        int status;
        try
        {
            status = up.Decoder.CheckWithoutTable(up.HeaderBlock.WrittenSpan);
        }
        catch (HpackException e)
        {
            throw new Http2ConnectionException(Http2Error.CompressionError, e.Message);
        }
        if (!up.Streams.TryGetValue(upstreamId, out var s))
        {
            return; // A stream the relay already ended.
        }
        if (s.IsFast && !s.Answered)
        {
            s.Answered = true;
            if (status is > 0 and < 500)
            {
                s.Destination!.ReportAnswered(_relay.Time.GetUtcNow().UtcDateTime);
            }
        }
        s.ResponseStarted = true;
        if (endStream)
        {
            s.UpstreamEnded = true;
        }
        var block = up.HeaderBlock.WrittenSpan;
        if (s.ToClient is { Count: > 0 })
        {
            s.ToClient.Enqueue(Pending.Copy(block, isHeaders: true, endStream));
            return;
        }
        _toClient.WriteHeaderBlock(s.ClientId, block, endStream, _clientMaxFrameSize);
        if (endStream)
        {
            CompleteResponse(s);
        }
    }

    private void OnUpstreamData(Upstream up, in FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        var length = header.Length;
        up.ReceiveWindow -= length;
        if (up.ReceiveWindow < 0)
        {
            throw new Http2ConnectionException(Http2Error.FlowControlError, "the upstream sent more than the connection window");
        }
        var data = header.Content(payload);
        if (!up.Streams.TryGetValue(header.StreamId, out var s))
        {
            CreditUpstream(up, null, length);
            return;
        }
        var padding = length - (int)data.Length;
        if (padding > 0)
        {
            CreditUpstream(up, s, padding);
        }
        var endStream = header.Has(FrameFlags.EndStream);
        if (endStream)
        {
            s.UpstreamEnded = true;
        }
        var n = (int)data.Length;
        if ((s.ToClient is null || s.ToClient.Count == 0) && n <= _clientSendWindow && n <= s.ClientSendWindow && n <= _clientMaxFrameSize)
        {
            _clientSendWindow -= n;
            s.ClientSendWindow -= n;
            _toClient.WriteFrame(FrameType.Data, endStream ? FrameFlags.EndStream : (byte)0, s.ClientId, data);
            CreditUpstream(up, endStream ? null : s, n);
            if (endStream)
            {
                CompleteResponse(s);
            }
            return;
        }
        (s.ToClient ??= new Queue<Pending>()).Enqueue(Pending.Copy(data, isHeaders: false, endStream));
        PumpToClient(s);
    }

    /// <summary>Sends what the client's windows allow of a stream's waiting answer pieces.</summary>
    private void PumpToClient(RelayStream s)
    {
        var queue = s.ToClient;
        if (queue is null)
        {
            return;
        }
        while (queue.Count > 0)
        {
            var p = queue.Peek();
            if (p.IsHeaders)
            {
                _toClient.WriteHeaderBlock(s.ClientId, p.Buffer.AsSpan(0, p.Length), p.EndStream, _clientMaxFrameSize);
                queue.Dequeue();
                p.Return();
                if (p.EndStream)
                {
                    CompleteResponse(s);
                    return;
                }
                continue;
            }
            var allowed = (int)Math.Min(Math.Min(_clientSendWindow, s.ClientSendWindow), _clientMaxFrameSize);
            if (p.Length > 0 && allowed <= 0)
            {
                return;
            }
            var n = Math.Min(p.Length, allowed);
            var last = n == p.Length;
            _clientSendWindow -= n;
            s.ClientSendWindow -= n;
            var end = last && p.EndStream;
            _toClient.WriteFrame(FrameType.Data, end ? FrameFlags.EndStream : (byte)0, s.ClientId, p.Buffer.AsSpan(0, n));
            CreditUpstream(s.Upstream, end ? null : s, n);
            queue.Dequeue();
            if (last)
            {
                p.Return();
                if (end)
                {
                    CompleteResponse(s);
                    return;
                }
            }
            else
            {
                RequeueRest(queue, p, n);
                return;
            }
        }
    }

    /// <summary>The answer reached the client in full: a request still being sent is not wanted any more.</summary>
    private void CompleteResponse(RelayStream s)
    {
        if (!s.ClientEnded)
        {
            _toClient.WriteRstStream(s.ClientId, Http2Error.NoError);
            if (!s.Upstream.Closed)
            {
                s.Upstream.Output!.WriteRstStream(s.UpstreamId, Http2Error.Cancel);
            }
        }
        Finish(s);
    }

    private static void CreditUpstream(Upstream up, RelayStream? s, int n)
    {
        if (n <= 0 || up.Output is null || up.Closed && up.Streams.Count == 0)
        {
            return;
        }
        up.Unacknowledged += n;
        if (up.Unacknowledged >= ConnectionWindow / 2)
        {
            up.Output.WriteWindowUpdate(0, up.Unacknowledged);
            up.ReceiveWindow += up.Unacknowledged;
            up.Unacknowledged = 0;
        }
        if (s is not null && !s.UpstreamEnded)
        {
            s.UpstreamUnacknowledged += n;
            if (s.UpstreamUnacknowledged >= StreamWindow / 2)
            {
                up.Output.WriteWindowUpdate(s.UpstreamId, s.UpstreamUnacknowledged);
                s.UpstreamUnacknowledged = 0;
            }
        }
    }
}
