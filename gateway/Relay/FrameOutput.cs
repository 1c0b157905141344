using System.Buffers;
using System.Buffers.Binary;

namespace Wsis.Gateway.Relay;

/// <summary>The frames going out on one connection. Frames are appended to a pending buffer by
/// whoever produces them (under the relay connection's lock, so frames never interleave). They are
/// not written at once: the producer marks the output ready and, once it has handled everything it
/// read (all the frames of one read from a peer) and released the lock, calls <see cref="Flush"/>,
/// which writes the pending bytes on the caller's own thread, one write for many frames (a burst of
/// unary calls costs one send, and no thread switch). A write the transport cannot take at once goes
/// on asynchronously and takes along whatever was appended meanwhile. The pending buffer is bounded
/// only by flow control for DATA; control frames a peer provokes (PING, SETTINGS acknowledgements)
/// are bounded by <see cref="MaxPendingBytes"/>: a peer that provokes them without reading loses its
/// connection.</summary>
internal sealed class FrameOutput
{
    /// <summary>Pending bytes beyond which the peer is taken to be not reading (flow control keeps DATA far below).</summary>
    public const int MaxPendingBytes = 16 * 1024 * 1024;

    private readonly object _gate;
    private readonly Func<ReadOnlyMemory<byte>, ValueTask> _write;
    private readonly List<FrameOutput> _ready;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[] _pending = new byte[16 * 1024];
    private byte[]? _spare = new byte[16 * 1024];
    private int _length;
    private bool _queued;
    private bool _writing;
    private bool _completed;

    /// <param name="gate">The lock every append is made under (the relay connection's).</param>
    /// <param name="ready">The list (guarded by <paramref name="gate"/>) an output puts itself on when it
    /// has something to write; whoever produced it flushes the list once out of the lock.</param>
    /// <param name="write">Writes a batch to the transport; completes when the transport took it.</param>
    public FrameOutput(object gate, List<FrameOutput> ready, Func<ReadOnlyMemory<byte>, ValueTask> write)
    {
        _gate = gate;
        _ready = ready;
        _write = write;
    }

    /// <summary>Completes once <see cref="Complete"/> was called and everything before it written;
    /// faults when the transport failed (what was pending then is dropped).</summary>
    public Task Completion => _done.Task;

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
        MarkReady();
    }

    /// <summary>No more frames: <see cref="Completion"/> completes once the pending bytes are written.</summary>
    public void Complete()
    {
        if (_completed)
        {
            return;
        }
        _completed = true;
        MarkReady();
    }

    private void MarkReady()
    {
        if (!_queued && !_writing)
        {
            _queued = true;
            _ready.Add(this);
        }
    }

    /// <summary>Writes the ready outputs of <paramref name="ready"/> (each taken off it). Called
    /// without the lock by whoever produced their frames.</summary>
    public static void FlushReady(object gate, List<FrameOutput> ready)
    {
        FrameOutput? single = null;
        FrameOutput[]? several = null;
        lock (gate)
        {
            switch (ready.Count)
            {
                case 0:
                    return;
                case 1:
                    single = ready[0];
                    break;
                default:
                    several = [.. ready];
                    break;
            }
            ready.Clear();
        }
        if (single is not null)
        {
            single.Flush();
            return;
        }
        foreach (var output in several!)
        {
            output.Flush();
        }
    }

    /// <summary>Writes what is pending unless a write is already under way (which takes it along).
    /// Returns once the transport took it, or once a write has to wait (it then goes on by itself).</summary>
    public void Flush()
    {
        lock (_gate)
        {
            _queued = false;
            if (_writing)
            {
                return;
            }
            _writing = true;
        }
        _ = DrainAsync();
    }

    private async Task DrainAsync()
    {
        try
        {
            while (true)
            {
                byte[] batch;
                int length;
                lock (_gate)
                {
                    if (_length == 0)
                    {
                        _writing = false;
                        if (_completed)
                        {
                            _done.TrySetResult();
                        }
                        return;
                    }
                    batch = _pending;
                    length = _length;
                    _pending = _spare ?? new byte[Math.Max(16 * 1024, length)];
                    _spare = null;
                    _length = 0;
                }
                await _write(batch.AsMemory(0, length)).ConfigureAwait(false);
                lock (_gate)
                {
                    _spare ??= batch;
                }
            }
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                // Stays "writing": nothing more is written, appends are dropped with the connection.
                _length = 0;
            }
            _done.TrySetException(e);
        }
    }
}
