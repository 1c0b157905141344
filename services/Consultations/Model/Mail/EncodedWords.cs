using System.Text;

namespace Wsis.Consultations.Model.Mail;

/// <summary>
/// RFC 2047 encoded words (<c>=?charset?B|Q?text?=</c>) in unstructured header text and phrases.
/// Whitespace between two adjacent encoded words is dropped (RFC 2047 §6.2), and adjacent words
/// in the same charset are decoded together so a multi-byte character split across two words
/// (which some mailers produce) comes out whole.
/// </summary>
internal static class EncodedWords
{
    public static string Decode(string text, MailProblems? problems)
    {
        if (!text.Contains("=?", StringComparison.Ordinal))
        {
            return text;
        }

        var output = new StringBuilder(text.Length);
        var pendingBytes = new List<byte>();
        string? pendingCharset = null;
        var pendingWhitespace = new StringBuilder();
        var i = 0;

        while (i < text.Length)
        {
            if (TryReadWord(text, i, out var word, out var next))
            {
                var bytes = word.Encoding is 'B' or 'b' ? DecodeB(word.Text, out var ok) : DecodeQ(word.Text, out ok);
                if (!ok)
                {
                    problems?.Add(MailProblemKind.InvalidEncodedWord, "an RFC 2047 encoded word could not be decoded; kept as written");
                    Flush();
                    output.Append(pendingWhitespace).Append(text, i, next - i);
                    pendingWhitespace.Clear();
                    i = next;
                    continue;
                }

                if (pendingCharset is not null && !string.Equals(pendingCharset, word.Charset, StringComparison.OrdinalIgnoreCase))
                {
                    Flush();
                }

                // Whitespace is only ever buffered after an encoded word, so what is pending here sits
                // between two encoded words and disappears; before ordinary text it is kept (below).
                pendingWhitespace.Clear();
                pendingCharset = word.Charset;
                pendingBytes.AddRange(bytes);
                i = next;
                continue;
            }

            var c = text[i];
            if (c is ' ' or '\t' && (pendingCharset is not null || pendingWhitespace.Length > 0))
            {
                pendingWhitespace.Append(c);
                i++;
                continue;
            }

            Flush();
            output.Append(pendingWhitespace);
            pendingWhitespace.Clear();
            output.Append(c);
            i++;
        }

        Flush();
        output.Append(pendingWhitespace);
        return output.ToString();

        void Flush()
        {
            if (pendingCharset is null)
            {
                return;
            }

            var decoded = MailCharsets.Decode(pendingBytes.ToArray(), pendingCharset, out var unknown);
            if (unknown)
            {
                problems?.Add(MailProblemKind.UnknownCharset, $"unknown charset '{Truncate(pendingCharset)}' in an encoded word; read as UTF-8 or Windows-1252");
            }

            output.Append(decoded);
            pendingBytes.Clear();
            pendingCharset = null;
        }
    }

    private readonly record struct Word(string Charset, char Encoding, string Text);

    private static bool TryReadWord(string text, int start, out Word word, out int next)
    {
        word = default;
        next = start;
        if (start + 1 >= text.Length || text[start] != '=' || text[start + 1] != '?')
        {
            return false;
        }

        var charsetEnd = text.IndexOf('?', start + 2);
        if (charsetEnd < 0 || charsetEnd == start + 2 || charsetEnd + 2 >= text.Length || text[charsetEnd + 2] != '?')
        {
            return false;
        }

        var encoding = text[charsetEnd + 1];
        if (encoding is not ('B' or 'b' or 'Q' or 'q'))
        {
            return false;
        }

        var textStart = charsetEnd + 3;
        var end = text.IndexOf("?=", textStart, StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }

        var charset = text[(start + 2)..charsetEnd];
        var encodedText = text[textStart..end];
        if (charset.AsSpan().IndexOfAny(" \t\r\n") >= 0 || encodedText.AsSpan().IndexOfAny(" \t\r\n") >= 0)
        {
            return false;
        }

        word = new Word(charset, encoding, encodedText);
        next = end + 2;
        return true;
    }

    private static byte[] DecodeB(string text, out bool ok)
    {
        var problems = new MailProblems();
        var bytes = TransferEncodings.DecodeBase64(Encoding.ASCII.GetBytes(text), problems);
        ok = problems.Count == 0;
        return bytes;
    }

    private static byte[] DecodeQ(string text, out bool ok)
    {
        ok = true;
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '_')
            {
                bytes.Add((byte)' ');
            }
            else if (c == '=' && i + 2 < text.Length && TransferEncodings.IsHex(text[i + 1]) && TransferEncodings.IsHex(text[i + 2]))
            {
                bytes.Add((byte)(TransferEncodings.HexValue(text[i + 1]) << 4 | TransferEncodings.HexValue(text[i + 2])));
                i += 2;
            }
            else if (c == '=')
            {
                ok = false;
                bytes.Add((byte)c);
            }
            else if (c < 128)
            {
                bytes.Add((byte)c);
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }

        return [.. bytes];
    }

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40];
}
