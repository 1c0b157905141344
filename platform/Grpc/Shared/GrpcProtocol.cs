using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Grpc.Core;
using Grpc.Net.Compression;

namespace Grpc.Shared;

/// <summary>Names and small rules of the gRPC over HTTP/2 protocol.</summary>
internal static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string StatusTrailer = "grpc-status";
    public const string MessageTrailer = "grpc-message";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string IdentityEncoding = "identity";
    /// <summary>A response header a handler may set to pick the response compression of its call (as grpc-dotnet honours); never sent.</summary>
    public const string EncodingRequestHeader = "grpc-internal-encoding-request";
    public const int HeaderSize = 5;
    public const int DefaultMaxMessageSize = 4 * 1024 * 1024;

    /// <summary>The default compression algorithms, gzip and deflate.</summary>
    public static IList<ICompressionProvider> DefaultCompressionProviders() =>
        [new GzipCompressionProvider(System.IO.Compression.CompressionLevel.Fastest), new DeflateCompressionProvider(System.IO.Compression.CompressionLevel.Fastest)];

    /// <summary><c>application/grpc</c>, optionally followed by <c>+suffix</c> or <c>;params</c>.</summary>
    public static bool IsGrpcContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase)) return false;
        if (contentType.Length == ContentType.Length) return true;
        var next = contentType[ContentType.Length];
        return next is '+' or ';';
    }

    public static bool IsGrpcWebContentType(string? contentType) =>
        contentType is not null && contentType.StartsWith("application/grpc-web", StringComparison.OrdinalIgnoreCase);

    public static string AcceptEncodingValue(IEnumerable<ICompressionProvider> providers)
    {
        var sb = new StringBuilder(IdentityEncoding);
        foreach (var p in providers) sb.Append(',').Append(p.EncodingName);
        return sb.ToString();
    }

    public static ICompressionProvider? FindProvider(IList<ICompressionProvider> providers, string name)
    {
        for (var i = 0; i < providers.Count; i++)
        {
            if (string.Equals(providers[i].EncodingName, name, StringComparison.OrdinalIgnoreCase)) return providers[i];
        }
        return null;
    }

    /// <summary>Whether a comma-separated <c>grpc-accept-encoding</c> value names this encoding.</summary>
    public static bool AcceptsEncoding(string? acceptEncoding, string encoding)
    {
        if (string.IsNullOrEmpty(acceptEncoding)) return false;
        foreach (var range in acceptEncoding.AsSpan().Split(','))
        {
            if (acceptEncoding.AsSpan()[range].Trim().Equals(encoding, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    // ---- grpc-timeout ----

    /// <summary>Parses <c>grpc-timeout</c>: 1 to 8 digits and a unit (H, M, S, m, u, n).</summary>
    public static bool TryParseTimeout(string? value, out TimeSpan timeout)
    {
        timeout = default;
        if (value is null || value.Length < 2 || value.Length > 9) return false;
        long amount = 0;
        for (var i = 0; i < value.Length - 1; i++)
        {
            var c = value[i];
            if (c < '0' || c > '9') return false;
            amount = amount * 10 + (c - '0');
        }
        long ticks;
        switch (value[^1])
        {
            case 'H': ticks = amount * TimeSpan.TicksPerHour; break;
            case 'M': ticks = amount * TimeSpan.TicksPerMinute; break;
            case 'S': ticks = amount * TimeSpan.TicksPerSecond; break;
            case 'm': ticks = amount * TimeSpan.TicksPerMillisecond; break;
            case 'u': ticks = amount * (TimeSpan.TicksPerMillisecond / 1000); break;
            // A tick is 100 ns: round up so that a tiny positive timeout stays positive.
            case 'n': ticks = (amount + 99) / 100; break;
            default: return false;
        }
        timeout = TimeSpan.FromTicks(ticks);
        return true;
    }

    /// <summary>Formats a timeout as <c>grpc-timeout</c> in the finest unit that fits in 8 digits.</summary>
    public static string FormatTimeout(TimeSpan timeout)
    {
        var ticks = Math.Max(0, timeout.Ticks);
        const long max = 99_999_999;
        // Microseconds first: nanoseconds add nothing over a 100 ns tick.
        var micros = ticks / 10;
        if (ticks % 10 != 0) micros++;
        if (micros <= max) return micros.ToString(CultureInfo.InvariantCulture) + "u";
        var millis = CeilDiv(ticks, TimeSpan.TicksPerMillisecond);
        if (millis <= max) return millis.ToString(CultureInfo.InvariantCulture) + "m";
        var seconds = CeilDiv(ticks, TimeSpan.TicksPerSecond);
        if (seconds <= max) return seconds.ToString(CultureInfo.InvariantCulture) + "S";
        var minutes = CeilDiv(ticks, TimeSpan.TicksPerMinute);
        if (minutes <= max) return minutes.ToString(CultureInfo.InvariantCulture) + "M";
        var hours = Math.Min(max, CeilDiv(ticks, TimeSpan.TicksPerHour));
        return hours.ToString(CultureInfo.InvariantCulture) + "H";
    }

    private static long CeilDiv(long a, long b) => a / b + (a % b == 0 ? 0 : 1);

    // ---- grpc-message ----

    /// <summary>Percent-encodes a status message: UTF-8, with bytes outside 0x20-0x7E and '%' escaped.</summary>
    public static string PercentEncode(string message)
    {
        var needs = false;
        foreach (var c in message)
        {
            if (c < 0x20 || c > 0x7E || c == '%') { needs = true; break; }
        }
        if (!needs) return message;
        var bytes = Encoding.UTF8.GetBytes(message);
        var sb = new StringBuilder(bytes.Length * 2);
        foreach (var b in bytes)
        {
            if (b < 0x20 || b > 0x7E || b == '%')
            {
                sb.Append('%').Append("0123456789ABCDEF"[b >> 4]).Append("0123456789ABCDEF"[b & 0xF]);
            }
            else
            {
                sb.Append((char)b);
            }
        }
        return sb.ToString();
    }

    /// <summary>Decodes a percent-encoded status message; malformed escapes are kept as they are.</summary>
    public static string PercentDecode(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        if (!value.Contains('%')) return value;
        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '%' && i + 2 < value.Length && IsHex(value[i + 1]) && IsHex(value[i + 2]))
            {
                bytes.Add((byte)(HexValue(value[i + 1]) << 4 | HexValue(value[i + 2])));
                i += 2;
            }
            else if (c <= 0x7F)
            {
                bytes.Add((byte)c);
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool IsHex(char c) => c is (>= '0' and <= '9') or (>= 'a' and <= 'f') or (>= 'A' and <= 'F');
    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    // ---- binary metadata ----

    /// <summary>Decodes a <c>-bin</c> value, padded or not.</summary>
    public static byte[] DecodeBinaryValue(string value)
    {
        value = value.Trim();
        var padding = (4 - value.Length % 4) % 4;
        if (padding == 3) throw new FormatException("Invalid base64 length.");
        var padded = padding == 0 ? value : value + new string('=', padding);
        return Convert.FromBase64String(padded);
    }

    /// <summary>Encodes a <c>-bin</c> value (padded: every peer accepts it).</summary>
    public static string EncodeBinaryValue(byte[] value) => Convert.ToBase64String(value);

    /// <summary>Headers that the transport owns; they never appear in <see cref="Metadata"/>.</summary>
    public static bool IsReservedHeader(string key) =>
        key.Length == 0 || key[0] == ':' ||
        key.Equals("content-type", StringComparison.OrdinalIgnoreCase) ||
        key.Equals("te", StringComparison.OrdinalIgnoreCase) ||
        key.Equals("host", StringComparison.OrdinalIgnoreCase) ||
        key.Equals("content-length", StringComparison.OrdinalIgnoreCase) ||
        key.Equals(TimeoutHeader, StringComparison.OrdinalIgnoreCase) ||
        key.Equals(EncodingHeader, StringComparison.OrdinalIgnoreCase) ||
        key.Equals(AcceptEncodingHeader, StringComparison.OrdinalIgnoreCase) ||
        key.Equals(StatusTrailer, StringComparison.OrdinalIgnoreCase) ||
        key.Equals(MessageTrailer, StringComparison.OrdinalIgnoreCase);

    /// <summary>Adds one received header (possibly several values) to metadata; bad -bin values are dropped.</summary>
    public static void AddHeaderToMetadata(Metadata metadata, string key, IEnumerable<string?> values)
    {
        var lower = key.ToLowerInvariant();
        var binary = Metadata.IsBinaryKey(lower);
        foreach (var v in values)
        {
            if (v is null) continue;
            if (binary)
            {
                // Some peers join repeated binary values with commas.
                foreach (var part in v.Split(','))
                {
                    try { metadata.Add(new Metadata.Entry(lower, DecodeBinaryValue(part))); }
                    catch (FormatException) { }
                }
            }
            else
            {
                try { metadata.Add(new Metadata.Entry(lower, v)); }
                catch (ArgumentException) { }
            }
        }
    }

    // ---- framing ----

    /// <summary>Writes the 5-byte message prefix.</summary>
    public static void WriteHeader(Span<byte> destination, bool compressed, int length)
    {
        destination[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)length);
    }

    /// <summary>
    /// Finds one length-prefixed message at the start of <paramref name="buffer"/>, which may span
    /// any number of segments. Returns false when more bytes are needed. Throws an
    /// <see cref="RpcException"/> (RESOURCE_EXHAUSTED) when the announced length is over the limit.
    /// </summary>
    public static bool TryReadMessage(in ReadOnlySequence<byte> buffer, int maxMessageSize, out bool compressed, out ReadOnlySequence<byte> payload)
    {
        compressed = false;
        payload = default;
        if (buffer.Length < HeaderSize) return false;
        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        var flag = header[0];
        if (flag > 1)
        {
            throw new RpcException(new Status(StatusCode.Internal, "Invalid compressed-flag byte in a message prefix."));
        }
        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > (uint)maxMessageSize)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted,
                $"Received message larger than max ({length} vs. {maxMessageSize})"));
        }
        if (buffer.Length < HeaderSize + length) return false;
        compressed = flag == 1;
        payload = buffer.Slice(HeaderSize, length);
        return true;
    }

    /// <summary>Decompresses a payload, refusing output over the limit (RESOURCE_EXHAUSTED).</summary>
    public static byte[] Decompress(ICompressionProvider provider, in ReadOnlySequence<byte> payload, int maxMessageSize, out int length)
    {
        using var input = new ReadOnlySequenceStream(payload);
        using var decompressor = provider.CreateDecompressionStream(input);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(256, (int)Math.Min(payload.Length * 4, maxMessageSize + 1L)));
        var total = 0;
        try
        {
            while (true)
            {
                if (total == buffer.Length)
                {
                    if (total > maxMessageSize) break;
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, maxMessageSize + 1L));
                    Buffer.BlockCopy(buffer, 0, bigger, 0, total);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var n = decompressor.Read(buffer, total, buffer.Length - total);
                if (n == 0) break;
                total += n;
                if (total > maxMessageSize) break;
            }
        }
        catch (InvalidDataException)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw new RpcException(new Status(StatusCode.Internal, $"Could not decompress a message with '{provider.EncodingName}'."));
        }
        if (total > maxMessageSize)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw new RpcException(new Status(StatusCode.ResourceExhausted,
                $"Received message larger than max after decompression (over {maxMessageSize})"));
        }
        length = total;
        return buffer; // rented: the caller returns it to the pool
    }

    /// <summary>Compresses a payload into a new array.</summary>
    public static byte[] Compress(ICompressionProvider provider, ReadOnlySpan<byte> payload, System.IO.Compression.CompressionLevel? level)
    {
        using var output = new MemoryStream(payload.Length / 2 + 32);
        using (var compressor = provider.CreateCompressionStream(output, level))
        {
            compressor.Write(payload);
        }
        return output.ToArray();
    }
}
