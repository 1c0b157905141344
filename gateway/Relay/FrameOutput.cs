using System.Buffers;
using System.Buffers.Binary;

namespace Wsis.Gateway.Relay;

/// <summary>The frames going out on one connection. Frames are appended to a pending buffer by
/// whoever produces them (under the relay connection's lock, so frames never interleave); one write
/// loop hands the pending bytes to the transport, a batch at a time, so that many small frames
/// (a burst of unary calls) cost one write. The pending buffer is bounded only by flow control for
/// DATA; control frames a peer provokes (PING, SETTINGS acknowledgements) are bounded by
/// <see cref="MaxPendingBytes"/>: a peer that provokes them without reading loses its connection.</summary>
internal sealed class FrameOutput
{
    /// <summary>Pending bytes beyond which the peer is taken to be not reading (flow control keeps DATA far below).</summary>
    public const int MaxPendingBytes = 16 * 1024 * 1024;

    private readonly object _gate;
    private readonly Func<ReadOnlyMemory<byte>, ValueTask> _write;
    private readonly SemaphoreSlim _signal = new(0, 1);
    private byte[] _pending = new byte[16 * 1024];
    private byte[] _spare = new byte[16 * 1024];
    private int _length;
    private bool _signalled;
    private bool _completed;

    /// <param name="gate">The lock every append is made under (the relay connection's).</param>
    /// <param name="write">Writes a batch to the transport; completes when the transport took it.</param>
    public FrameOutput(object gate, Func<ReadOnlyMemory<byte>, ValueTask> write)
    {
        _gate = gate;
        _write = write;
    }

    /// <summary>Set when the pending bytes passed <see cref="MaxPendingBytes"/>.</summary>
    public bool Overflowed { get; private set; }

    public void WriteFrame(FrameType type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        var span = Reserve(FrameHeader.Size + payload.Length);
        FrameHeader.Write(span, payload.Length, type, flags, streamId);
        payload.CopyTo(span[FrameHeader.Size..]);
        Commit(FrameHeader.Size + payload.Length);
    }

    public void WriteFrame(FrameType type, byte flags, int streamId, in ReadOnlySequence<byte> payload)
    {
        var length = (int)payload.Length;
        var span = Reserve(FrameHeader.Size + length);
        FrameHeader.Write(span, length, type, flags, streamId);
        payload.CopyTo(span[FrameHeader.Size..]);
        Commit(FrameHeader.Size + length);
    }

    public void WriteRstStream(int streamId, Http2Error error)
    {
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)error);
        WriteFrame(FrameType.RstStream, 0, streamId, payload);
    }

    public void WriteWindowUpdate(int streamId, int increment)
    {
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)increment);
        WriteFrame(FrameType.WindowUpdate, 0, streamId, payload);
    }

    public void WriteGoAway(int lastStreamId, Http2Error error, string? debug = null)
    {
        var text = debug is null ? [] : System.Text.Encoding.ASCII.GetBytes(debug);
        Span<byte> payload = stackalloc byte[8 + text.Length];
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)lastStreamId);
        BinaryPrimitives.WriteUInt32BigEndian(payload[4..], (uint)error);
        text.CopyTo(payload[8..]);
        WriteFrame(FrameType.GoAway, 0, 0, payload);
    }

    /// <summary>Writes a header block as HEADERS plus CONTINUATION frames of at most <paramref name="maxFrameSize"/>.</summary>
    public void WriteHeaderBlock(int streamId, ReadOnlySpan<byte> block, bool endStream, int maxFrameSize)
    {
        var first = Math.Min(block.Length, maxFrameSize);
        var flags = (byte)((endStream ? FrameFlags.EndStream : 0) | (first == block.Length ? FrameFlags.EndHeaders : 0));
        WriteFrame(FrameType.Headers, flags, streamId, block[..first]);
        var rest = block[first..];
        while (rest.Length > 0)
        {
            var n = Math.Min(rest.Length, maxFrameSize);
            WriteFrame(FrameType.Continuation, n == rest.Length ? FrameFlags.EndHeaders : (byte)0, streamId, rest[..n]);
            rest = rest[n..];
        }
    }

    /// <summary>Raw bytes (the client connection preface).</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        Commit(bytes.Length);
    }

    private Span<byte> Reserve(int size)
    {
        if (_length + size > _pending.Length)
        {
            var grown = new byte[Math.Max(_pending.Length * 2, _length + size)];
            _pending.AsSpan(0, _length).CopyTo(grown);
            _pending = grown;
        }
        return _pending.AsSpan(_length, size);
    }

    private void Commit(int size)
    {
        _length += size;
        if (_length > MaxPendingBytes)
        {
            Overflowed = true;
        }
        if (!_signalled)
        {
            _signalled = true;
            _signal.Release();
        }
    }

    /// <summary>No more frames: the write loop ends once the pending bytes are written.</summary>
    public void Complete()
    {
        if (_completed)
        {
            return;
        }
        _completed = true;
        if (!_signalled)
        {
            _signalled = true;
            _signal.Release();
        }
    }

    /// <summary>Runs until <see cref="Complete"/> and the last batch is written, or the transport fails.</summary>
    public async Task RunAsync()
    {
        while (true)
        {
            await _signal.WaitAsync().ConfigureAwait(false);
            byte[] batch;
            int length;
            bool completed;
            lock (_gate)
            {
                batch = _pending;
                length = _length;
                _pending = _spare;
                _length = 0;
                _signalled = false;
                completed = _completed;
            }
            if (length > 0)
            {
                await _write(batch.AsMemory(0, length)).ConfigureAwait(false);
            }
            lock (_gate)
            {
                _spare = batch;
            }
            if (completed)
            {
                return;
            }
        }
    }
}
