using System.Collections.Frozen;
using System.Text;

namespace Wsis.Gateway.Relay;

/// <summary>The HPACK static table (RFC 7541 Appendix A). Its strings are the instances the decoder
/// hands out, so headers named or valued from it cost no allocation.</summary>
internal static class HpackStaticTable
{
    public const int Count = 61;

    // Indexed as on the wire: entry 0 is unused.
    public static readonly string[] Names =
    [
        "",
        ":authority", ":method", ":method", ":path", ":path", ":scheme", ":scheme", ":status", ":status", ":status",
        ":status", ":status", ":status", ":status", "accept-charset", "accept-encoding", "accept-language", "accept-ranges", "accept", "access-control-allow-origin",
        "age", "allow", "authorization", "cache-control", "content-disposition", "content-encoding", "content-language", "content-length", "content-location", "content-range",
        "content-type", "cookie", "date", "etag", "expect", "expires", "from", "host", "if-match", "if-modified-since",
        "if-none-match", "if-range", "if-unmodified-since", "last-modified", "link", "location", "max-forwards", "proxy-authenticate", "proxy-authorization", "range",
        "referer", "refresh", "retry-after", "server", "set-cookie", "strict-transport-security", "transfer-encoding", "user-agent", "vary", "via",
        "www-authenticate",
    ];

    public static readonly string[] Values =
    [
        "",
        "", "GET", "POST", "/", "/index.html", "http", "https", "200", "204", "206",
        "304", "400", "404", "500", "", "gzip, deflate", "", "", "", "",
        "", "", "", "", "", "", "", "", "", "",
        "", "", "", "", "", "", "", "", "", "",
        "", "", "", "", "", "", "", "", "", "",
        "", "", "", "", "", "", "", "", "", "",
        "",
    ];

    public const int Authorization = 23;
    public const int Cookie = 32;
    public const int ProxyAuthorization = 49;

    // Entries sharing a name are adjacent in the table.
    private static readonly FrozenDictionary<string, int> FirstIndexByName = BuildFirstIndexByName();

    // Distinct names by length, to recognise a literal name without allocating.
    private static readonly string[][] NamesByLength = BuildNamesByLength();

    /// <summary>The index of the entry equal to (<paramref name="name"/>, <paramref name="value"/>)
    /// when there is one (<paramref name="fullMatch"/>), else of the first entry with that name, else 0.</summary>
    public static int Find(string name, string value, out bool fullMatch)
    {
        fullMatch = false;
        if (!FirstIndexByName.TryGetValue(name, out var first))
        {
            return 0;
        }
        for (var i = first; i <= Count && string.Equals(Names[i], name, StringComparison.Ordinal); i++)
        {
            if (string.Equals(Values[i], value, StringComparison.Ordinal))
            {
                fullMatch = true;
                return i;
            }
        }
        return first;
    }

    /// <summary>The table's instance of a name given as octets, or null when it is not in the table.</summary>
    public static string? FindName(ReadOnlySpan<byte> name)
    {
        if (name.Length >= NamesByLength.Length)
        {
            return null;
        }
        foreach (var candidate in NamesByLength[name.Length])
        {
            if (Ascii.Equals(name, candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private static FrozenDictionary<string, int> BuildFirstIndexByName()
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 1; i <= Count; i++)
        {
            map.TryAdd(Names[i], i);
        }
        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string[][] BuildNamesByLength()
    {
        var longest = 0;
        for (var i = 1; i <= Count; i++)
        {
            longest = Math.Max(longest, Names[i].Length);
        }
        var lists = new List<string>[longest + 1];
        for (var i = 0; i < lists.Length; i++)
        {
            lists[i] = [];
        }
        for (var i = 1; i <= Count; i++)
        {
            if (!lists[Names[i].Length].Contains(Names[i]))
            {
                lists[Names[i].Length].Add(Names[i]);
            }
        }
        var result = new string[lists.Length][];
        for (var i = 0; i < lists.Length; i++)
        {
            result[i] = [.. lists[i]];
        }
        return result;
    }
}
