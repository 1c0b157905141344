using System.Buffers;
using System.Buffers.Binary;

namespace Wsis.Gateway.Relay;

internal enum FrameType : byte
{
    Data = 0,
    Headers = 1,
    Priority = 2,
    RstStream = 3,
    Settings = 4,
    PushPromise = 5,
    Ping = 6,
    GoAway = 7,
    WindowUpdate = 8,
    Continuation = 9,
}

internal static class FrameFlags
{
    public const byte EndStream = 0x1;
    public const byte Ack = 0x1;
    public const byte EndHeaders = 0x4;
    public const byte Padded = 0x8;
    public const byte Priority = 0x20;
}

/// <summary>HTTP/2 error codes (RFC 9113 section 7).</summary>
internal enum Http2Error : uint
{
    NoError = 0x0,
    ProtocolError = 0x1,
    InternalError = 0x2,
    FlowControlError = 0x3,
    StreamClosed = 0x5,
    FrameSizeError = 0x6,
    RefusedStream = 0x7,
    Cancel = 0x8,
    CompressionError = 0x9,
    EnhanceYourCalm = 0xb,
}

internal static class SettingId
{
    public const ushort HeaderTableSize = 0x1;
    public const ushort EnablePush = 0x2;
    public const ushort MaxConcurrentStreams = 0x3;
    public const ushort InitialWindowSize = 0x4;
    public const ushort MaxFrameSize = 0x5;
    public const ushort MaxHeaderListSize = 0x6;
}

/// <summary>A frame's 9-byte header.</summary>
internal readonly record struct FrameHeader(int Length, FrameType Type, byte Flags, int StreamId)
{
    public const int Size = 9;

    public bool Has(byte flag) => (Flags & flag) != 0;

    /// <summary>What a DATA or HEADERS frame carries: its payload without the padding (PADDED) and,
    /// for HEADERS, without the priority fields (PRIORITY).</summary>
    /// <exception cref="Http2ConnectionException">The padding or priority fields do not fit the frame.</exception>
    public ReadOnlySequence<byte> Content(in ReadOnlySequence<byte> payload)
    {
        var content = payload;
        if (Has(FrameFlags.Padded))
        {
            if (content.Length < 1)
            {
                throw new Http2ConnectionException(Http2Error.ProtocolError, $"padded {Type} without a pad length");
            }
            var pad = content.FirstSpan[0];
            if (pad >= content.Length)
            {
                throw new Http2ConnectionException(Http2Error.ProtocolError, $"{Type} padding longer than the frame");
            }
            content = content.Slice(1, content.Length - 1 - pad);
        }
        if (Type == FrameType.Headers && Has(FrameFlags.Priority))
        {
            if (content.Length < 5)
            {
                throw new Http2ConnectionException(Http2Error.FrameSizeError, "HEADERS priority fields missing");
            }
            content = content.Slice(5);
        }
        return content;
    }

    /// <summary>Reads a frame header and its whole payload when both are in <paramref name="buffer"/>.</summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, out FrameHeader header, out ReadOnlySequence<byte> payload)
    {
        if (buffer.Length < Size)
        {
            header = default;
            payload = default;
            return false;
        }
        Span<byte> raw = stackalloc byte[Size];
        buffer.Slice(0, Size).CopyTo(raw);
        var length = raw[0] << 16 | raw[1] << 8 | raw[2];
        header = new FrameHeader(length, (FrameType)raw[3], raw[4], (int)(BinaryPrimitives.ReadUInt32BigEndian(raw[5..]) & 0x7FFFFFFF));
        if (buffer.Length < Size + length)
        {
            payload = default;
            return false;
        }
        payload = buffer.Slice(Size, length);
        buffer = buffer.Slice(Size + length);
        return true;
    }

    public static void Write(Span<byte> destination, int length, FrameType type, byte flags, int streamId)
    {
        destination[0] = (byte)(length >> 16);
        destination[1] = (byte)(length >> 8);
        destination[2] = (byte)length;
        destination[3] = (byte)type;
        destination[4] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(destination[5..], (uint)streamId);
    }
}

internal static class Http2Preface
{
    public static ReadOnlySpan<byte> Bytes => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;
}

/// <summary>A connection error: the connection ends with GOAWAY carrying this code.</summary>
internal sealed class Http2ConnectionException(Http2Error error, string message) : Exception(message)
{
    public Http2Error Error { get; } = error;
}
