using System.Buffers;
using System.Text;

namespace Wsis.Gateway.Relay;

/// <summary>Stateless encoder (never uses the dynamic table, so blocks need no shared state and may
/// be sent on any connection). Indexed representation when name AND value are in the static table;
/// otherwise literal without indexing (never-indexed for <c>authorization</c>, <c>cookie</c> and
/// <c>proxy-authorization</c>) with the static table's name index when the name is there, else the
/// literal name. Strings are written raw (no Huffman), byte per char (chars must be &lt;= 0xFF).</summary>
/// <remarks>Raw strings cost a few octets per field but no encoding pass; the relay re-encodes every
/// header block on its hot path.</remarks>
public static class HpackEncoder
{
    // A 31-bit integer takes at most 1 + 5 octets.
    private const int MaxIntegerLength = 6;

    /// <summary>Appends one field to <paramref name="output"/>.</summary>
    /// <exception cref="ArgumentException">The name or value has a char above 0xFF.</exception>
    public static void Encode(string name, string value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(output);
        var index = HpackStaticTable.Find(name, value, out var fullMatch);
        if (fullMatch)
        {
            output.GetSpan(1)[0] = (byte)(0x80 | index);
            output.Advance(1);
            return;
        }
        var neverIndexed = index == 0
            ? IsSensitive(name)
            : index is HpackStaticTable.Authorization or HpackStaticTable.Cookie or HpackStaticTable.ProxyAuthorization;
        WriteLiteral(output, index, 4, neverIndexed ? (byte)0x10 : (byte)0x00, name, value);
    }

    /// <summary>A literal field (RFC 7541 section 6.2): the name by its static index, or written
    /// when <paramref name="nameIndex"/> is 0, then the value; raw strings, one octet per char.</summary>
    /// <exception cref="ArgumentException">The name or value has a char above 0xFF (nothing written).</exception>
    internal static void WriteLiteral(IBufferWriter<byte> output, int nameIndex, int prefixBits, byte pattern, string name, string value)
    {
        ThrowIfNotOctets(value, nameof(value));
        var length = MaxIntegerLength + MaxIntegerLength + value.Length;
        if (nameIndex == 0)
        {
            ThrowIfNotOctets(name, nameof(name));
            length += MaxIntegerLength + name.Length;
        }
        var span = output.GetSpan(length);
        var written = WriteInteger(span, nameIndex, prefixBits, pattern);
        if (nameIndex == 0)
        {
            written += WriteString(span[written..], name);
        }
        written += WriteString(span[written..], value);
        output.Advance(written);
    }

    /// <summary>A dynamic-table-size-update instruction (RFC 7541 section 6.3), e.g. size 0 at the
    /// start of a block to tell the peer's decoder this encoder keeps no table.</summary>
    public static void EncodeTableSizeUpdate(int size, IBufferWriter<byte> output)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentNullException.ThrowIfNull(output);
        output.Advance(WriteInteger(output.GetSpan(MaxIntegerLength), size, 5, 0x20));
    }

    /// <summary>RFC 7541 section 5.1.</summary>
    internal static int WriteInteger(Span<byte> destination, int value, int prefixBits, byte pattern)
    {
        var max = (1 << prefixBits) - 1;
        if (value < max)
        {
            destination[0] = (byte)(pattern | value);
            return 1;
        }
        destination[0] = (byte)(pattern | max);
        var rest = (uint)(value - max);
        var written = 1;
        while (rest >= 0x80)
        {
            destination[written++] = (byte)(rest | 0x80);
            rest >>= 7;
        }
        destination[written++] = (byte)rest;
        return written;
    }

    private static int WriteString(Span<byte> destination, string value)
    {
        var written = WriteInteger(destination, value.Length, 7, 0x00);
        return written + Encoding.Latin1.GetBytes(value, destination[written..]);
    }

    // Names outside the static table reach here, so only other spellings of the three.
    internal static bool IsSensitive(string name) =>
        name.Equals("authorization", StringComparison.OrdinalIgnoreCase)
        || name.Equals("cookie", StringComparison.OrdinalIgnoreCase)
        || name.Equals("proxy-authorization", StringComparison.OrdinalIgnoreCase);

    private static void ThrowIfNotOctets(string value, string paramName)
    {
        if (value.AsSpan().IndexOfAnyExceptInRange('\0', '\u00FF') >= 0)
        {
            throw new ArgumentException("HPACK strings are octets: a char above 0xFF cannot be encoded", paramName);
        }
    }
}
