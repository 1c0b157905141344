using System.Buffers.Binary;
using System.Text;

namespace Wsis.Gateway.Proxy;

/// <summary>The few pieces of the gRPC-over-HTTP/2 wire protocol the gateway itself speaks:
/// recognising gRPC requests, length-prefixed message framing, and Trailers-Only errors.</summary>
public static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    public const string TimeoutHeader = "grpc-timeout";

    // Status codes used by the gateway (numbering per grpc/doc/statuscodes.md).
    public const int Ok = 0;
    public const int Cancelled = 1;
    public const int Unknown = 2;
    public const int InvalidArgument = 3;
    public const int DeadlineExceeded = 4;
    public const int NotFound = 5;
    public const int AlreadyExists = 6;
    public const int PermissionDenied = 7;
    public const int ResourceExhausted = 8;
    public const int FailedPrecondition = 9;
    public const int Aborted = 10;
    public const int OutOfRange = 11;
    public const int Unimplemented = 12;
    public const int Internal = 13;
    public const int Unavailable = 14;
    public const int DataLoss = 15;
    public const int Unauthenticated = 16;

    public static bool IsGrpcRequest(HttpRequest request) =>
        request.ContentType is { } ct && ct.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses a grpc-timeout value ("100m", "5S", "1H"…); null when absent or malformed.</summary>
    public static TimeSpan? ParseTimeout(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length < 2 || value.Length > 9
            || !long.TryParse(value.AsSpan(0, value.Length - 1), System.Globalization.NumberStyles.None, null, out var amount))
        {
            return null;
        }
        return value[^1] switch
        {
            'H' => TimeSpan.FromHours(amount),
            'M' => TimeSpan.FromMinutes(amount),
            'S' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMilliseconds(amount),
            'u' => TimeSpan.FromTicks(amount * 10),
            'n' => TimeSpan.FromTicks(amount / 100),
            _ => null,
        };
    }

    /// <summary>Formats a grpc-timeout value: at most 8 digits, in the finest unit that holds it.</summary>
    public static string FormatTimeout(TimeSpan timeout)
    {
        var ticks = Math.Max(timeout.Ticks, TimeSpan.TicksPerMillisecond);
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        const long max = 99_999_999;
        if (ticks / 10 <= max)
        {
            return (ticks / 10).ToString(inv) + "u";
        }
        if (ticks / TimeSpan.TicksPerMillisecond <= max)
        {
            return (ticks / TimeSpan.TicksPerMillisecond).ToString(inv) + "m";
        }
        if (ticks / TimeSpan.TicksPerSecond <= max)
        {
            return (ticks / TimeSpan.TicksPerSecond).ToString(inv) + "S";
        }
        return Math.Min(ticks / TimeSpan.TicksPerHour, max).ToString(inv) + "H";
    }

    /// <summary>Writes a gRPC error as a Trailers-Only response: HTTP 200, a single HEADERS frame
    /// carrying grpc-status and grpc-message, no body (Kestrel ends the stream on that frame).</summary>
    public static Task WriteTrailersOnlyAsync(HttpResponse response, int status, string message, TimeSpan? retryAfter = null)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.Headers[StatusHeader] = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers[MessageHeader] = EncodeMessage(message);
        if (retryAfter is { } after)
        {
            response.Headers.RetryAfter = ((int)Math.Ceiling(after.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return Task.CompletedTask;
    }

    /// <summary>grpc-message is percent-encoded UTF-8 (everything outside printable ASCII, and '%').</summary>
    public static string EncodeMessage(string message)
    {
        var bytes = Encoding.UTF8.GetBytes(message);
        var sb = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%')
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return sb.ToString();
    }

    public static string DecodeMessage(string? encoded) =>
        string.IsNullOrEmpty(encoded) ? "" : Uri.UnescapeDataString(encoded);

    /// <summary>Frames one message: compressed flag 0, 4-byte big-endian length, payload.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> message)
    {
        var framed = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)message.Length);
        message.CopyTo(framed.AsSpan(5));
        return framed;
    }

    /// <summary>Reads the next framed message; null at a clean end of stream.</summary>
    public static async Task<byte[]?> ReadMessageAsync(Stream stream, int maxMessageSize, CancellationToken cancellationToken)
    {
        var header = new byte[5];
        var read = await ReadAtLeastOrEndAsync(stream, header, cancellationToken);
        if (read == 0)
        {
            return null;
        }
        if (read < 5)
        {
            throw new InvalidDataException("gRPC message header truncated");
        }
        if (header[0] != 0)
        {
            throw new InvalidDataException("compressed gRPC messages are not accepted here");
        }
        var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1));
        if (length > maxMessageSize)
        {
            throw new InvalidDataException($"gRPC message of {length} bytes exceeds the limit of {maxMessageSize} bytes");
        }
        var payload = new byte[length];
        if (await ReadAtLeastOrEndAsync(stream, payload, cancellationToken) < length)
        {
            throw new InvalidDataException("gRPC message truncated");
        }
        return payload;
    }

    private static async Task<int> ReadAtLeastOrEndAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken) =>
        await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
}
