using System.Text;

namespace Wsis.Consultations.Model.Mail;

/// <summary>A header field as it appears in the message, unfolded, not yet decoded.</summary>
public sealed record HeaderField(string Name, string RawValue);

/// <summary>
/// Reads the header block of a message or body part (RFC 5322 §2.2): fields end at the first
/// empty line; lines starting with a space or tab continue the previous field (unfolding
/// removes only the line break). Tolerates LF-only line endings and an mbox "From " line.
/// </summary>
internal static class HeaderBlock
{
    public static List<HeaderField> Read(ReadOnlySpan<byte> data, int maxFields, MailProblems problems, out int bodyStart, bool isTopLevel)
    {
        var fields = new List<HeaderField>();
        string? name = null;
        var value = new StringBuilder();
        var position = 0;
        var first = true;
        bodyStart = data.Length;
        var separatorFound = false;
        var skippedLines = false;

        while (position < data.Length)
        {
            var newline = data[position..].IndexOf((byte)'\n');
            var lineEnd = newline < 0 ? data.Length : position + newline;
            var next = newline < 0 ? data.Length : lineEnd + 1;
            var line = data[position..lineEnd];
            if (line.Length > 0 && line[^1] == '\r')
            {
                line = line[..^1];
            }

            if (line.Length == 0)
            {
                bodyStart = next;
                separatorFound = true;
                break;
            }

            if (first && isTopLevel && line.StartsWith("From "u8))
            {
                // mbox envelope line (Postfix pipe flag F, procmail): not a header field.
                first = false;
                position = next;
                continue;
            }

            if (line[0] is (byte)' ' or (byte)'\t')
            {
                if (name is not null)
                {
                    value.Append(DecodeHeaderBytes(line));
                }
                else
                {
                    skippedLines = true;
                }

                first = false;
                position = next;
                continue;
            }

            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || !IsFieldName(line[..colon]))
            {
                if (first)
                {
                    // No header block at all: the whole thing is body.
                    problems.Add(MailProblemKind.MalformedHeader, "the part starts without header fields");
                    bodyStart = 0;
                    return fields;
                }

                skippedLines = true;
                position = next;
                continue;
            }

            Flush();
            if (fields.Count >= maxFields)
            {
                problems.Add(MailProblemKind.HeaderLimitExceeded, $"more than {maxFields} header fields in one part; the rest were ignored");
                name = null;
            }
            else
            {
                name = Encoding.ASCII.GetString(line[..colon]).Trim();
                value.Append(DecodeHeaderBytes(line[(colon + 1)..]));
            }

            first = false;
            position = next;
        }

        Flush();
        if (skippedLines)
        {
            problems.Add(MailProblemKind.MalformedHeader, "lines in a header block that are not header fields were ignored");
        }

        if (!separatorFound && isTopLevel)
        {
            problems.Add(MailProblemKind.MissingHeaderSeparator, "no empty line after the header fields; the message has no body");
        }

        return fields;

        void Flush()
        {
            if (name is not null)
            {
                fields.Add(new HeaderField(name, value.ToString().Trim()));
            }

            name = null;
            value.Clear();
        }
    }

    private static bool IsFieldName(ReadOnlySpan<byte> name)
    {
        foreach (var b in name)
        {
            // RFC 5322 ftext: printable US-ASCII except ':'. Allow trailing spaces ("Subject :").
            if (b is < 33 or > 126 && b != ' ')
            {
                return false;
            }
        }

        return name.Trim((byte)' ').Length > 0;
    }

    /// <summary>Raw 8-bit header bytes (RFC 6532 or broken mailers): UTF-8 when valid, else Windows-1252.</summary>
    private static string DecodeHeaderBytes(ReadOnlySpan<byte> bytes) => MailCharsets.DecodeUnlabelled(bytes);
}
