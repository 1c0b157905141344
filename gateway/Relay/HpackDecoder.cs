using System.Text;

namespace Wsis.Gateway.Relay;

/// <summary>Malformed header block (an HTTP/2 COMPRESSION_ERROR, connection-fatal) or, when
/// <see cref="ListTooLarge"/>, a header list over the limit (stream-level: the block was still
/// fully decoded so the dynamic table stays in sync).</summary>
public sealed class HpackException(string message, bool listTooLarge = false) : Exception(message)
{
    public bool ListTooLarge { get; } = listTooLarge;
}

/// <summary>Decoder state of one connection direction: the dynamic table (RFC 7541 section 2.3.2)
/// that the peer's encoder drives. Every header block of that direction must pass through
/// <see cref="Decode"/> in order, even blocks whose stream is refused, or the table drifts.</summary>
/// <remarks>Strings are octets widened to chars one to one (Latin-1), never UTF-8, so a field
/// re-encoded by <see cref="HpackEncoder"/> is the same octets. Names are not validated here.</remarks>
public sealed class HpackDecoder
{
    private const int EntryOverhead = 32;

    private readonly int _maxTableSize;
    private readonly int _maxHeaderListSize;

    // Ring buffer, newest entry at _newest; dynamic index 1 is the newest.
    private Entry[] _entries = new Entry[16];
    private int _newest = -1;
    private int _count;
    private int _tableSize;
    private int _tableCapacity;

    private byte[] _huffmanBuffer = new byte[256];

    // Literal strings seen lately, by their octets as sent (direct-mapped): a peer that does not
    // index a field (a path, a content length, or any field of a client without a dynamic table)
    // sends the same literal call after call, decoded and allocated once here.
    private const int CachedStringMaxLength = 256;
    private readonly CachedString[] _strings = new CachedString[64];

    /// <param name="maxTableSize">The SETTINGS_HEADER_TABLE_SIZE advertised to the peer; a dynamic
    /// table size update above it is an error.</param>
    /// <param name="maxHeaderListSize">Limit on a decoded list, sized as in RFC 7540 section 6.5.2:
    /// name and value octets plus 32 per field.</param>
    public HpackDecoder(int maxTableSize = 4096, int maxHeaderListSize = 65536)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxTableSize);
        ArgumentOutOfRangeException.ThrowIfNegative(maxHeaderListSize);
        _maxTableSize = maxTableSize;
        _tableCapacity = maxTableSize;
        _maxHeaderListSize = maxHeaderListSize;
    }

    /// <summary>Decodes one complete header block (HEADERS and CONTINUATION fragments concatenated,
    /// padding and priority removed), appending its fields in order to <paramref name="headers"/>.</summary>
    /// <exception cref="HpackException">The block is malformed (fields may have been appended; the
    /// connection is done), or, with <see cref="HpackException.ListTooLarge"/>, the list is over the
    /// limit: the whole block was decoded and the fields within the limit appended.</exception>
    public void Decode(ReadOnlySpan<byte> block, List<KeyValuePair<string, string>> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var pos = 0;
        var fieldSeen = false;
        long listSize = 0;
        var tooLarge = false;
        while (pos < block.Length)
        {
            var first = block[pos];
            string name, value;
            if ((first & 0x80) != 0)
            {
                var index = ReadInteger(block, ref pos, 7);
                if (index == 0)
                {
                    throw new HpackException("Indexed header field with index 0");
                }
                GetEntry(index, out name, out value);
            }
            else if ((first & 0x40) != 0)
            {
                var index = ReadInteger(block, ref pos, 6);
                name = index == 0 ? ReadString(block, ref pos, isName: true, materialize: true) : GetName(index);
                value = ReadString(block, ref pos, isName: false, materialize: true);
                Add(name, value);
            }
            else if ((first & 0x20) != 0)
            {
                if (fieldSeen)
                {
                    throw new HpackException("Dynamic table size update after a header field");
                }
                var size = ReadInteger(block, ref pos, 5);
                if (size > _maxTableSize)
                {
                    throw new HpackException($"Dynamic table size update to {size} above the maximum {_maxTableSize}");
                }
                _tableCapacity = size;
                EvictTo(size);
                continue;
            }
            else
            {
                // Without indexing (0000) or never indexed (0001): the same to a decoder.
                var index = ReadInteger(block, ref pos, 4);
                name = index == 0 ? ReadString(block, ref pos, isName: true, materialize: !tooLarge) : GetName(index);
                value = ReadString(block, ref pos, isName: false, materialize: !tooLarge);
            }
            fieldSeen = true;
            if (!tooLarge)
            {
                listSize += name.Length + value.Length + EntryOverhead;
                if (listSize > _maxHeaderListSize)
                {
                    tooLarge = true;
                }
                else
                {
                    headers.Add(new KeyValuePair<string, string>(name, value));
                }
            }
        }
        if (tooLarge)
        {
            throw new HpackException($"Header list larger than {_maxHeaderListSize} octets", listTooLarge: true);
        }
    }

    /// <summary>Checks a header block from a peer whose decoder table this side set to size 0, so
    /// the block refers to nothing earlier and may be passed on as it is, without materializing its
    /// strings: every representation well formed, static indices only, size updates only to 0 and
    /// only before the first field, Huffman strings valid, the list within the limit. Returns the
    /// first field's <c>:status</c> when it is one of three digits, else 0.</summary>
    /// <exception cref="HpackException">As <see cref="Decode"/>, including a list over the limit.</exception>
    public int CheckWithoutTable(ReadOnlySpan<byte> block)
    {
        if (_maxTableSize != 0)
        {
            throw new InvalidOperationException("Only blocks of a peer without a dynamic table can be checked without decoding");
        }
        var pos = 0;
        var fieldSeen = false;
        long listSize = 0;
        var status = 0;
        while (pos < block.Length)
        {
            var first = block[pos];
            int nameLength, valueLength;
            var index = 0;
            if ((first & 0x80) != 0)
            {
                index = StaticIndex(ReadInteger(block, ref pos, 7));
                if (index == 0)
                {
                    throw new HpackException("Indexed header field with index 0");
                }
                nameLength = HpackStaticTable.Names[index].Length;
                valueLength = HpackStaticTable.Values[index].Length;
                if (!fieldSeen && HpackStaticTable.Names[index] == ":status")
                {
                    status = int.Parse(HpackStaticTable.Values[index], System.Globalization.CultureInfo.InvariantCulture);
                }
            }
            else if ((first & 0x40) == 0 && (first & 0x20) != 0)
            {
                if (fieldSeen)
                {
                    throw new HpackException("Dynamic table size update after a header field");
                }
                var size = ReadInteger(block, ref pos, 5);
                if (size > _maxTableSize)
                {
                    throw new HpackException($"Dynamic table size update to {size} above the maximum {_maxTableSize}");
                }
                continue;
            }
            else
            {
                // With incremental indexing into a table of size 0 (nothing kept), without indexing, never indexed.
                index = StaticIndex(ReadInteger(block, ref pos, (first & 0x40) != 0 ? 6 : 4));
                nameLength = index == 0 ? CheckString(block, ref pos).Length : HpackStaticTable.Names[index].Length;
                var value = CheckString(block, ref pos);
                valueLength = value.Length;
                if (!fieldSeen && index != 0 && HpackStaticTable.Names[index] == ":status")
                {
                    status = Status(value);
                }
            }
            fieldSeen = true;
            // Past the limit the rest is still checked: the caller treats a malformed block differently.
            listSize += nameLength + valueLength + EntryOverhead;
        }
        if (listSize > _maxHeaderListSize)
        {
            throw new HpackException($"Header list larger than {_maxHeaderListSize} octets", listTooLarge: true);
        }
        return status;
    }

    private static int StaticIndex(int index) => index <= HpackStaticTable.Count
        ? index
        : throw new HpackException($"Header index {index} beyond the tables ({HpackStaticTable.Count} + 0 entries)");

    private static int Status(ReadOnlySpan<byte> value) =>
        value.Length == 3 && char.IsAsciiDigit((char)value[0]) && char.IsAsciiDigit((char)value[1]) && char.IsAsciiDigit((char)value[2])
            ? (value[0] - '0') * 100 + (value[1] - '0') * 10 + (value[2] - '0')
            : 0;

    /// <summary>A string literal's octets (Huffman decoded into a scratch buffer, valid until the next call).</summary>
    private ReadOnlySpan<byte> CheckString(ReadOnlySpan<byte> block, ref int pos)
    {
        var octets = ReadLiteral(block, ref pos, out var huffman);
        return huffman ? DecodeHuffman(octets) : octets;
    }

    /// <summary>A string literal's octets as sent (RFC 7541 section 5.2) and whether they are Huffman-coded.</summary>
    private static ReadOnlySpan<byte> ReadLiteral(ReadOnlySpan<byte> block, ref int pos, out bool huffman)
    {
        if (pos >= block.Length)
        {
            throw new HpackException("Truncated string literal");
        }
        huffman = (block[pos] & 0x80) != 0;
        var length = ReadInteger(block, ref pos, 7);
        if (length > block.Length - pos)
        {
            throw new HpackException("String literal longer than the header block");
        }
        var octets = block.Slice(pos, length);
        pos += length;
        return octets;
    }

    /// <summary>Huffman-decoded octets, in a scratch buffer valid until the next call.</summary>
    private ReadOnlySpan<byte> DecodeHuffman(ReadOnlySpan<byte> encoded)
    {
        var max = HpackHuffman.MaxDecodedLength(encoded.Length);
        if (_huffmanBuffer.Length < max)
        {
            _huffmanBuffer = new byte[Math.Max(max, _huffmanBuffer.Length * 2)];
        }
        return _huffmanBuffer.AsSpan(0, HpackHuffman.Decode(encoded, _huffmanBuffer));
    }

    /// <summary>RFC 7541 section 5.1, capped at 5 continuation octets and <see cref="int.MaxValue"/>.</summary>
    private static int ReadInteger(ReadOnlySpan<byte> block, ref int pos, int prefixBits)
    {
        var max = (1 << prefixBits) - 1;
        var value = block[pos++] & max;
        if (value < max)
        {
            return value;
        }
        var result = (ulong)value;
        var shift = 0;
        while (true)
        {
            if (pos >= block.Length)
            {
                throw new HpackException("Truncated integer");
            }
            var octet = block[pos++];
            result += (ulong)(octet & 0x7F) << shift;
            if ((octet & 0x80) == 0)
            {
                break;
            }
            shift += 7;
            if (shift > 28)
            {
                throw new HpackException("Integer too long");
            }
        }
        if (result > int.MaxValue)
        {
            throw new HpackException("Integer overflow");
        }
        return (int)result;
    }

    /// <summary>A string literal (RFC 7541 section 5.2). When not <paramref name="materialize"/>d
    /// (a field past the list limit) it is still checked, then dropped.</summary>
    private string ReadString(ReadOnlySpan<byte> block, ref int pos, bool isName, bool materialize)
    {
        var octets = ReadLiteral(block, ref pos, out var huffman);
        if (materialize && octets.Length is > 0 and <= CachedStringMaxLength)
        {
            return Cached(octets, huffman, isName);
        }
        return Materialize(octets, huffman, isName, materialize);
    }

    private string Cached(ReadOnlySpan<byte> raw, bool huffman, bool isName)
    {
        var hash = new HashCode();
        hash.AddBytes(raw);
        var kind = (huffman ? 1 : 0) | (isName ? 2 : 0);
        hash.Add(kind);
        var code = hash.ToHashCode();
        ref var slot = ref _strings[(uint)code % (uint)_strings.Length];
        if (slot.Value is not null && slot.Hash == code && slot.Kind == kind && raw.SequenceEqual(slot.Raw))
        {
            return slot.Value;
        }
        var value = Materialize(raw, huffman, isName, materialize: true);
        slot = new CachedString(raw.ToArray(), kind, code, value);
        return value;
    }

    private string Materialize(ReadOnlySpan<byte> octets, bool huffman, bool isName, bool materialize)
    {
        if (huffman)
        {
            octets = DecodeHuffman(octets);
        }
        if (!materialize || octets.IsEmpty)
        {
            return string.Empty;
        }
        if (isName && HpackStaticTable.FindName(octets) is { } known)
        {
            return known;
        }
        return Encoding.Latin1.GetString(octets);
    }

    private void GetEntry(int index, out string name, out string value)
    {
        if (index <= HpackStaticTable.Count)
        {
            name = HpackStaticTable.Names[index];
            value = HpackStaticTable.Values[index];
            return;
        }
        ref var entry = ref DynamicEntry(index);
        name = entry.Name;
        value = entry.Value;
    }

    private string GetName(int index) =>
        index <= HpackStaticTable.Count ? HpackStaticTable.Names[index] : DynamicEntry(index).Name;

    private ref Entry DynamicEntry(int index)
    {
        var dynamicIndex = index - HpackStaticTable.Count;
        if (dynamicIndex > _count)
        {
            throw new HpackException($"Header index {index} beyond the tables ({HpackStaticTable.Count} + {_count} entries)");
        }
        var slot = _newest - (dynamicIndex - 1);
        if (slot < 0)
        {
            slot += _entries.Length;
        }
        return ref _entries[slot];
    }

    /// <summary>RFC 7541 section 4.4: evicts from the oldest until the entry fits; an entry larger
    /// than the table empties it and is not added.</summary>
    private void Add(string name, string value)
    {
        var size = (long)name.Length + value.Length + EntryOverhead;
        if (size > _tableCapacity)
        {
            EvictTo(0);
            return;
        }
        EvictTo(_tableCapacity - (int)size);
        if (_count == _entries.Length)
        {
            Grow();
        }
        _newest = _newest + 1 == _entries.Length ? 0 : _newest + 1;
        _entries[_newest] = new Entry(name, value, (int)size);
        _count++;
        _tableSize += (int)size;
    }

    private void EvictTo(int size)
    {
        while (_tableSize > size)
        {
            var oldest = _newest - (_count - 1);
            if (oldest < 0)
            {
                oldest += _entries.Length;
            }
            _tableSize -= _entries[oldest].Size;
            _entries[oldest] = default;
            _count--;
        }
    }

    private void Grow()
    {
        var larger = new Entry[_entries.Length * 2];
        var oldest = _newest - (_count - 1);
        if (oldest < 0)
        {
            oldest += _entries.Length;
        }
        var firstPart = Math.Min(_count, _entries.Length - oldest);
        Array.Copy(_entries, oldest, larger, 0, firstPart);
        Array.Copy(_entries, 0, larger, firstPart, _count - firstPart);
        _entries = larger;
        _newest = _count - 1;
    }

    private readonly record struct Entry(string Name, string Value, int Size);

    private readonly record struct CachedString(byte[] Raw, int Kind, int Hash, string Value);
}
