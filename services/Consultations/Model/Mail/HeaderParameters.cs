using System.Text;

namespace Wsis.Consultations.Model.Mail;

/// <summary>
/// A structured header value with parameters: <c>Content-Type</c> or <c>Content-Disposition</c>
/// (RFC 2045 §5.1, RFC 2183), including RFC 2231 parameter value continuations and charsets
/// (<c>filename*0*=utf-8''%C3%A9t%C3%A9;</c>) and the RFC 2047 encoded words many mailers put in
/// quoted file names although the RFC does not allow it there.
/// </summary>
internal sealed class HeaderParameters
{
    private readonly Dictionary<string, string> _parameters;

    private HeaderParameters(string value, Dictionary<string, string> parameters)
    {
        Value = value;
        _parameters = parameters;
    }

    /// <summary>The main value, lower-case: "multipart/mixed", "attachment".</summary>
    public string Value { get; }

    public string? this[string name] => _parameters.TryGetValue(name, out var v) ? v : null;

    public static HeaderParameters Parse(string? header, MailProblems problems)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return new HeaderParameters("", new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase));
        }

        var tokens = SplitParameters(header);
        var value = StripComments(tokens[0]).Trim().ToLowerInvariant();
        var simple = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var sections = new Dictionary<string, SortedDictionary<int, (string Text, bool Extended)>>(StringComparer.OrdinalIgnoreCase);
        var extendedSingle = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        foreach (var token in tokens.Skip(1))
        {
            var equals = token.IndexOf('=');
            if (equals <= 0)
            {
                continue;
            }

            var name = token[..equals].Trim().ToLowerInvariant();
            var raw = token[(equals + 1)..].Trim();
            var text = Unquote(raw);

            var star = name.IndexOf('*');
            if (star < 0)
            {
                simple.TryAdd(name, text);
                continue;
            }

            var baseName = name[..star];
            var rest = name[(star + 1)..];
            if (rest.Length == 0)
            {
                extendedSingle.TryAdd(baseName, text); // name*=charset'lang'value
                continue;
            }

            var extended = rest.EndsWith('*');
            var number = extended ? rest[..^1] : rest;
            if (int.TryParse(number, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index) && index < 1000)
            {
                if (!sections.TryGetValue(baseName, out var parts))
                {
                    parts = [];
                    sections[baseName] = parts;
                }

                parts.TryAdd(index, (text, extended));
            }
        }

        var result = new Dictionary<string, string>(simple, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, parts) in sections)
        {
            result[name] = JoinSections(parts, problems);
        }

        foreach (var (name, text) in extendedSingle)
        {
            result[name] = JoinSections(new SortedDictionary<int, (string, bool)> { [0] = (text, true) }, problems);
        }

        // Outlook and Gmail write filename="=?UTF-8?B?...?=": decode those too.
        foreach (var key in new[] { "name", "filename" })
        {
            if (result.TryGetValue(key, out var v) && v.Contains("=?", StringComparison.Ordinal))
            {
                result[key] = EncodedWords.Decode(v, problems);
            }
        }

        return new HeaderParameters(value, result);
    }

    private static string JoinSections(SortedDictionary<int, (string Text, bool Extended)> parts, MailProblems problems)
    {
        string? charset = null;
        var bytes = new List<byte>();
        var first = true;
        foreach (var (_, (text, extended)) in parts)
        {
            var piece = text;
            if (extended && first)
            {
                // charset'language'value
                var q1 = piece.IndexOf('\'');
                var q2 = q1 < 0 ? -1 : piece.IndexOf('\'', q1 + 1);
                if (q2 > q1)
                {
                    charset = piece[..q1];
                    piece = piece[(q2 + 1)..];
                }
            }

            if (extended)
            {
                PercentDecode(piece, bytes);
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(piece));
            }

            first = false;
        }

        var decoded = MailCharsets.Decode(bytes.ToArray(), string.IsNullOrEmpty(charset) ? null : charset, out var unknown);
        if (unknown)
        {
            problems.Add(MailProblemKind.UnknownCharset, "unknown charset in an RFC 2231 parameter; read as UTF-8 or Windows-1252");
        }

        return decoded;
    }

    private static void PercentDecode(string text, List<byte> bytes)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '%' && i + 2 < text.Length && TransferEncodings.IsHex(text[i + 1]) && TransferEncodings.IsHex(text[i + 2]))
            {
                bytes.Add((byte)(TransferEncodings.HexValue(text[i + 1]) << 4 | TransferEncodings.HexValue(text[i + 2])));
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(text[i].ToString()));
            }
        }
    }

    /// <summary>Splits at ';' outside quoted strings and comments.</summary>
    private static List<string> SplitParameters(string header)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        var inQuotes = false;
        var commentDepth = 0;
        for (var i = 0; i < header.Length; i++)
        {
            var c = header[i];
            if (inQuotes)
            {
                current.Append(c);
                if (c == '\\' && i + 1 < header.Length)
                {
                    current.Append(header[++i]);
                }
                else if (c == '"')
                {
                    inQuotes = false;
                }

                continue;
            }

            switch (c)
            {
                case '"' when commentDepth == 0:
                    inQuotes = true;
                    current.Append(c);
                    break;
                case '(':
                    commentDepth++;
                    break;
                case ')' when commentDepth > 0:
                    commentDepth--;
                    break;
                case ';' when commentDepth == 0:
                    tokens.Add(current.ToString());
                    current.Clear();
                    break;
                default:
                    if (commentDepth == 0)
                    {
                        current.Append(c);
                    }

                    break;
            }
        }

        tokens.Add(current.ToString());
        return tokens;
    }

    private static string Unquote(string raw)
    {
        if (raw.Length >= 2 && raw[0] == '"')
        {
            var end = raw.LastIndexOf('"');
            var inner = end > 0 ? raw[1..end] : raw[1..];
            var sb = new StringBuilder(inner.Length);
            for (var i = 0; i < inner.Length; i++)
            {
                if (inner[i] == '\\' && i + 1 < inner.Length)
                {
                    i++;
                }

                sb.Append(inner[i]);
            }

            return sb.ToString();
        }

        return raw;
    }

    private static string StripComments(string s)
    {
        var open = s.IndexOf('(');
        return open < 0 ? s : s[..open];
    }
}
