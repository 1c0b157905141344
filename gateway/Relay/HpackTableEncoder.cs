using System.Buffers;
using System.Runtime.CompilerServices;

namespace Wsis.Gateway.Relay;

/// <summary>Encoder state of one connection direction with a dynamic table (RFC 7541 section 2.3.2),
/// for the relay's requests to a destination: a unary call repeats most of its fields (path,
/// authority, content type, user agent, the forwarding headers), which after the first call cost
/// one octet each, on the wire and in the destination's decoder. Every block it encodes must be sent,
/// in the order encoded, on the one connection whose decoder mirrors this table; blocks sent later or
/// out of order (queued trailers) use the stateless <see cref="HpackEncoder"/>.</summary>
/// <remarks>Fields are indexed unless they are credentials (never indexed, as the stateless
/// encoder does), change with every call (<c>grpc-timeout</c>, <c>content-length</c>), or would take
/// more than a quarter of the table. Strings are written raw, byte per char (chars must be &lt;= 0xFF).</remarks>
public sealed class HpackTableEncoder
{
    private const int EntryOverhead = 32;

    // Ring buffer of entries, oldest at _oldest; insertion numbers count from 1.
    private Entry[] _entries = new Entry[16];
    private int _oldest;
    private int _count;
    private long _inserted;
    private int _size;
    private int _capacity;
    private int _maxCapacity;
    private bool _announceCapacity;
    private readonly Dictionary<(string Name, string Value), long> _index = new(FieldComparer.Instance);

    // How fields were encoded lately, by the identity of their strings (direct-mapped): the
    // relay's decoder hands out the same instances for a field a client repeats, so a repeated field
    // is found without hashing its text. Insertion > 0: a table entry (if still there); < 0: the
    // static entry of that index; 0: a literal not indexed.
    private readonly Recent[] _recent = new Recent[64];

    /// <param name="maxTableSize">The peer decoder's SETTINGS_HEADER_TABLE_SIZE (4,096 until it says
    /// otherwise); the encoder uses at most this.</param>
    public HpackTableEncoder(int maxTableSize = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxTableSize);
        _maxCapacity = maxTableSize;
        _capacity = maxTableSize;
    }

    /// <summary>The octets the table holds (RFC 7541 section 4.1).</summary>
    public int TableSize => _size;

    /// <summary>The peer's decoder announced a new maximum table size (SETTINGS_HEADER_TABLE_SIZE).
    /// The table shrinks at once when needed, and the next block starts with a size update.</summary>
    public void SetMaxTableSize(int maxTableSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxTableSize);
        _maxCapacity = maxTableSize;
        if (_capacity != maxTableSize)
        {
            _capacity = maxTableSize;
            EvictTo(_capacity);
            _announceCapacity = true;
            // What was too large for the old table may fit the new one.
            Array.Clear(_recent);
        }
    }

    /// <summary>Starts a header block: a pending size update is written first (RFC 7541 section 4.2).</summary>
    public void BeginBlock(IBufferWriter<byte> output)
    {
        if (_announceCapacity)
        {
            HpackEncoder.EncodeTableSizeUpdate(_capacity, output);
            _announceCapacity = false;
        }
    }

    /// <summary>Appends one field, by reference to the table when it holds it.</summary>
    /// <exception cref="ArgumentException">The name or value has a char above 0xFF.</exception>
    public void Encode(string name, string value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(output);
        ref var recent = ref _recent[(uint)(RuntimeHelpers.GetHashCode(name) ^ RuntimeHelpers.GetHashCode(value) * 31) % (uint)_recent.Length];
        if (ReferenceEquals(recent.Name, name) && ReferenceEquals(recent.Value, value))
        {
            switch (recent.Insertion)
            {
                case < 0:
                    output.GetSpan(1)[0] = (byte)(0x80 | (int)-recent.Insertion);
                    output.Advance(1);
                    return;
                case 0:
                    HpackEncoder.Encode(name, value, output);
                    return;
                default:
                    if (recent.Insertion > _inserted - _count)
                    {
                        WriteIndexed(recent.Insertion, output);
                        return;
                    }
                    break;
            }
        }
        if (_index.TryGetValue((name, value), out var insertion))
        {
            recent = new Recent(name, value, insertion);
            WriteIndexed(insertion, output);
            return;
        }
        var size = (long)name.Length + value.Length + EntryOverhead;
        if (size > _capacity / 4 || !Indexable(name))
        {
            HpackEncoder.Encode(name, value, output);
            recent = new Recent(name, value, 0);
            return;
        }
        var staticIndex = HpackStaticTable.Find(name, value, out var fullMatch);
        if (fullMatch)
        {
            output.GetSpan(1)[0] = (byte)(0x80 | staticIndex);
            output.Advance(1);
            recent = new Recent(name, value, -staticIndex);
            return;
        }
        HpackEncoder.WriteLiteral(output, staticIndex, 6, 0x40, name, value);
        Add(name, value, (int)size);
        recent = new Recent(name, value, _inserted);
    }

    private void WriteIndexed(long insertion, IBufferWriter<byte> output)
    {
        var index = HpackStaticTable.Count + (int)(_inserted - insertion) + 1;
        output.Advance(HpackEncoder.WriteInteger(output.GetSpan(6), index, 7, 0x80));
    }

    private static bool Indexable(string name) =>
        name is not ("grpc-timeout" or "content-length") && !HpackEncoder.IsSensitive(name);

    private void Add(string name, string value, int size)
    {
        EvictTo(_capacity - size);
        if (_count == _entries.Length)
        {
            var larger = new Entry[_entries.Length * 2];
            for (var i = 0; i < _count; i++)
            {
                larger[i] = _entries[(_oldest + i) % _entries.Length];
            }
            _entries = larger;
            _oldest = 0;
        }
        _inserted++;
        _entries[(_oldest + _count) % _entries.Length] = new Entry(name, value, size);
        _count++;
        _size += size;
        _index[(name, value)] = _inserted;
    }

    private void EvictTo(int size)
    {
        while (_size > size && _count > 0)
        {
            ref var oldest = ref _entries[_oldest];
            _size -= oldest.Size;
            // A field is added only when the table does not hold it, so the index names this entry.
            _index.Remove((oldest.Name, oldest.Value));
            oldest = default;
            _oldest = (_oldest + 1) % _entries.Length;
            _count--;
        }
    }

    private readonly record struct Entry(string Name, string Value, int Size);

    private readonly record struct Recent(string? Name, string? Value, long Insertion);

    private sealed class FieldComparer : IEqualityComparer<(string Name, string Value)>
    {
        public static readonly FieldComparer Instance = new();

        public bool Equals((string Name, string Value) x, (string Name, string Value) y) =>
            string.Equals(x.Name, y.Name, StringComparison.Ordinal) && string.Equals(x.Value, y.Value, StringComparison.Ordinal);

        public int GetHashCode((string Name, string Value) field) =>
            HashCode.Combine(string.GetHashCode(field.Name, StringComparison.Ordinal), string.GetHashCode(field.Value, StringComparison.Ordinal));
    }
}
