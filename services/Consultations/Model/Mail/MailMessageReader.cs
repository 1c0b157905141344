using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Wsis.Consultations.Model.Mail;

/// <summary>
/// Reads a raw RFC 5322 message: headers (RFC 5322, RFC 2047), MIME structure (RFC 2045/2046:
/// multipart/mixed, alternative, related, digest, signed…, nested up to a depth), transfer
/// encodings, charsets, file names (RFC 2183, RFC 2231) and embedded messages.
/// It never throws for any input: whatever it cannot understand is reported in
/// <see cref="ReadMessage.Problems"/> and the rest is read as well as it can be.
/// </summary>
/// <remarks>
/// Written here because no MIME library restores from this machine's registry (see DESIGN.md).
/// The body text is the text/plain part (in multipart/alternative the plain alternative is
/// preferred, the HTML one is converted only when there is no plain text); further inline
/// text parts of a multipart/mixed (mailing-list footers) are appended. Every other part,
/// and every part with a file name or an "attachment" disposition, is an attachment.
/// </remarks>
public sealed partial class MailMessageReader(MailReadLimits? limits = null)
{
    private readonly MailReadLimits _limits = limits ?? MailReadLimits.Default;

    public ReadMessage Read(ReadOnlySpan<byte> raw)
    {
        var session = new Session(_limits);
        return ReadEntity(raw, session, depth: 0);
    }

    private sealed class Session(MailReadLimits limits)
    {
        public MailReadLimits Limits { get; } = limits;
        public int Parts { get; set; }
        public long DecodedBytes { get; set; }

        /// <summary>The outermost message's problems: a limit hit inside an embedded message flags it too.</summary>
        public MailProblems? Root { get; set; }

        public void LimitReached(MailProblems problems, MailProblemKind kind, string detail)
        {
            problems.Add(kind, detail);
            if (Root is not null && !ReferenceEquals(Root, problems))
            {
                Root.Add(kind, detail);
            }
        }
    }

    private sealed class Collector(MailProblems problems)
    {
        public MailProblems Problems { get; } = problems;
        public List<string> Plain { get; } = [];
        public List<string> Html { get; } = [];
        public List<MailAttachment> Attachments { get; } = [];
        public List<ReadMessage> Embedded { get; } = [];
    }

    private enum Mode
    {
        Body,
        AttachmentsOnly,
    }

    private ReadMessage ReadEntity(ReadOnlySpan<byte> data, Session session, int depth)
    {
        var problems = new MailProblems();
        session.Root ??= problems;
        var collector = new Collector(problems);
        List<HeaderField> headers = [];
        try
        {
            headers = HeaderBlock.Read(data, session.Limits.MaxHeaderFields, problems, out var bodyStart, isTopLevel: true);
            ReadPart(headers, data[bodyStart..], session, depth, collector, Mode.Body, "text/plain");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A safety net: the reader is written not to throw, but a message must never be lost
            // because of a reader bug. The type name tells maintainers what happened; no content is logged.
            problems.Add(MailProblemKind.Unreadable, $"the reader stopped early ({ex.GetType().Name}); the raw message is kept");
        }

        return Build(headers, collector, problems);
    }

    private static ReadMessage Build(List<HeaderField> headers, Collector collector, MailProblems problems)
    {
        string? Raw(string name) => headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase))?.RawValue;

        MailboxAddress? from = null;
        var subject = "";
        string? messageId = null;
        DateTimeOffset? date = null;
        List<MailboxAddress> replyTo = [], to = [], cc = [];
        string text;
        var fromHtml = false;
        try
        {
            var fromList = MailAddresses.ParseList(Raw("From"), problems);
            from = fromList.FirstOrDefault();
            if (from is null)
            {
                problems.Add(Raw("From") is null ? MailProblemKind.MissingFrom : MailProblemKind.MalformedAddress,
                    Raw("From") is null ? "the message has no From field" : "the From field holds no readable address");
            }

            replyTo = MailAddresses.ParseList(Raw("Reply-To"), problems);
            to = MailAddresses.ParseList(Raw("To"), null);
            cc = MailAddresses.ParseList(Raw("Cc"), null);
            subject = EncodedWords.Decode(Raw("Subject") ?? "", problems).Trim();
            messageId = Raw("Message-ID")?.Trim();
            date = MailDate.TryParse(Raw("Date"));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            problems.Add(MailProblemKind.Unreadable, $"the header fields could not be read completely ({ex.GetType().Name})");
        }

        if (collector.Plain.Count > 0)
        {
            text = string.Join("\n\n", collector.Plain.Select(t => t.TrimEnd()));
        }
        else if (collector.Html.Count > 0)
        {
            fromHtml = true;
            text = string.Join("\n\n", collector.Html.Select(HtmlToTextSafely));
        }
        else
        {
            text = "";
            if (collector.Embedded.Count == 0)
            {
                problems.Add(MailProblemKind.NoTextBody, "the message has no text part");
            }
        }

        return new ReadMessage
        {
            Headers = headers,
            From = from,
            ReplyTo = replyTo,
            To = to,
            Cc = cc,
            Subject = subject,
            MessageId = messageId,
            Date = date,
            Text = text.Trim('\n'),
            TextFromHtml = fromHtml,
            Attachments = collector.Attachments,
            EmbeddedMessages = collector.Embedded,
            Problems = [.. problems.Items],
        };

        string HtmlToTextSafely(string html)
        {
            try
            {
                return HtmlText.ToText(html);
            }
            catch (RegexMatchTimeoutException)
            {
                problems.Add(MailProblemKind.Unreadable, "the HTML body was too complex to convert to text");
                return "";
            }
        }
    }

    private void ReadPart(List<HeaderField> headers, ReadOnlySpan<byte> body, Session session, int depth, Collector collector, Mode mode, string defaultType)
    {
        var problems = collector.Problems;
        session.Parts++;
        if (session.Parts > session.Limits.MaxParts)
        {
            session.LimitReached(problems, MailProblemKind.PartLimitExceeded, $"more than {session.Limits.MaxParts} body parts; the rest were not read");
            return;
        }

        string? Raw(string name) => headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase))?.RawValue;

        var contentType = HeaderParameters.Parse(Raw("Content-Type"), problems);
        var mediaType = contentType.Value;
        if (!IsMediaType(mediaType))
        {
            if (mediaType.Length > 0)
            {
                problems.Add(MailProblemKind.MalformedHeader, "a Content-Type is not a media type; the default was used");
            }

            mediaType = defaultType;
        }

        var disposition = HeaderParameters.Parse(Raw("Content-Disposition"), problems);
        var transferEncoding = ReadTransferEncoding(Raw("Content-Transfer-Encoding"));

        if (mediaType.StartsWith("multipart/", StringComparison.Ordinal))
        {
            if (depth >= session.Limits.MaxDepth)
            {
                session.LimitReached(problems, MailProblemKind.DepthLimitExceeded, $"multiparts nested deeper than {session.Limits.MaxDepth}; the inner parts were not read");
                return;
            }

            var boundary = contentType["boundary"];
            if (string.IsNullOrEmpty(boundary))
            {
                problems.Add(MailProblemKind.MissingBoundary, "a multipart has no boundary parameter; its body was read as text");
                ReadLeaf(body, "text/plain", null, contentType, disposition, transferEncoding, session, collector, mode, headers);
                return;
            }

            var parts = Split(body, Encoding.UTF8.GetBytes("--" + boundary), session.Limits.MaxParts + 1, out var closed);
            if (parts.Count == 0)
            {
                problems.Add(MailProblemKind.MissingBoundary, "a multipart's boundary never occurs in its body; the body was read as text");
                ReadLeaf(body, "text/plain", null, contentType, disposition, transferEncoding, session, collector, mode, headers);
                return;
            }

            if (!closed)
            {
                problems.Add(MailProblemKind.UnterminatedMultipart, "a multipart has no closing boundary; its last part runs to the end");
            }

            var childDefault = mediaType == "multipart/digest" ? "message/rfc822" : "text/plain";
            var children = new List<(List<HeaderField> Headers, int Start, int End, int BodyStart)>();
            foreach (var (start, end) in parts)
            {
                var childHeaders = HeaderBlock.Read(body[start..end], session.Limits.MaxHeaderFields, problems, out var childBodyStart, isTopLevel: false);
                children.Add((childHeaders, start, end, start + childBodyStart));
            }

            var preferred = mediaType == "multipart/alternative" ? PreferredAlternative(children.Select(c => c.Headers).ToList(), problems) : -1;
            for (var i = 0; i < children.Count; i++)
            {
                var child = children[i];
                var childMode = preferred >= 0 && i != preferred ? Mode.AttachmentsOnly : mode;
                ReadPart(child.Headers, body[child.BodyStart..child.End], session, depth + 1, collector, childMode, childDefault);
            }

            return;
        }

        if (mediaType is "message/rfc822" or "message/global")
        {
            var content = Decode(body, transferEncoding, session, problems);
            if (content is null)
            {
                return;
            }

            if (depth >= session.Limits.MaxDepth)
            {
                session.LimitReached(problems, MailProblemKind.DepthLimitExceeded, $"messages nested deeper than {session.Limits.MaxDepth}; the inner ones were not read");
            }
            else
            {
                var embedded = ReadEntity(content, session, depth + 1);
                collector.Embedded.Add(embedded);
                var name = disposition["filename"] ?? contentType["name"] ?? (embedded.Subject.Length > 0 ? embedded.Subject : "message") + ".eml";
                collector.Attachments.Add(new MailAttachment(SafeFileName(name, mediaType, collector.Attachments.Count), mediaType, content, disposition.Value == "inline", ContentId(Raw("Content-ID"))));
                return;
            }

            collector.Attachments.Add(new MailAttachment(SafeFileName(disposition["filename"] ?? "message.eml", mediaType, collector.Attachments.Count), mediaType, content, false, null));
            return;
        }

        ReadLeaf(body, mediaType, Raw("Content-ID"), contentType, disposition, transferEncoding, session, collector, mode, headers);
    }

    private static void ReadLeaf(ReadOnlySpan<byte> body, string mediaType, string? contentId, HeaderParameters contentType, HeaderParameters disposition,
        string transferEncoding, Session session, Collector collector, Mode mode, List<HeaderField> headers)
    {
        _ = headers;
        var problems = collector.Problems;
        var content = Decode(body, transferEncoding, session, problems);
        if (content is null)
        {
            return;
        }

        var fileName = disposition["filename"] ?? contentType["name"];
        var isText = mediaType is "text/plain" or "text/html";
        var isAttachment = disposition.Value == "attachment" || !string.IsNullOrWhiteSpace(fileName) || !isText;

        if (!isAttachment)
        {
            if (mode != Mode.Body)
            {
                return;
            }

            var text = MailCharsets.Decode(content, contentType["charset"], out var unknown);
            if (unknown)
            {
                problems.Add(MailProblemKind.UnknownCharset, $"unknown charset '{Shorten(contentType["charset"])}'; the text was read as UTF-8 or Windows-1252");
            }

            text = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
            if (mediaType == "text/plain")
            {
                if (string.Equals(contentType["format"], "flowed", StringComparison.OrdinalIgnoreCase))
                {
                    text = FlowedText.Unflow(text, string.Equals(contentType["delsp"], "yes", StringComparison.OrdinalIgnoreCase));
                }

                collector.Plain.Add(text);
            }
            else
            {
                collector.Html.Add(text);
            }

            return;
        }

        collector.Attachments.Add(new MailAttachment(
            SafeFileName(fileName, mediaType, collector.Attachments.Count),
            mediaType,
            content,
            disposition.Value == "inline",
            ContentId(contentId)));
    }

    private static byte[]? Decode(ReadOnlySpan<byte> body, string transferEncoding, Session session, MailProblems problems)
    {
        if (session.DecodedBytes >= session.Limits.MaxDecodedBytes)
        {
            session.LimitReached(problems, MailProblemKind.SizeLimitExceeded, $"more than {session.Limits.MaxDecodedBytes} decoded bytes; the rest was not decoded");
            return null;
        }

        byte[] content;
        switch (transferEncoding)
        {
            case "base64":
                content = TransferEncodings.DecodeBase64(body, problems);
                break;
            case "quoted-printable":
                content = TransferEncodings.DecodeQuotedPrintable(body, problems);
                break;
            case "7bit" or "8bit" or "binary" or "":
                content = body.ToArray();
                break;
            default:
                problems.Add(MailProblemKind.UnknownTransferEncoding, $"unknown Content-Transfer-Encoding '{Shorten(transferEncoding)}'; the content was taken as is");
                content = body.ToArray();
                break;
        }

        session.DecodedBytes += content.Length;
        if (session.DecodedBytes > session.Limits.MaxDecodedBytes)
        {
            session.LimitReached(problems, MailProblemKind.SizeLimitExceeded, $"more than {session.Limits.MaxDecodedBytes} decoded bytes; the rest was not decoded");
            return null;
        }

        return content;
    }

    /// <summary>
    /// Splits a multipart body at its delimiter lines (RFC 2046 §5.1.1): "--boundary" at the start
    /// of a line, optionally followed by "--" (the close) and transport padding. The line break
    /// before a delimiter belongs to the delimiter. Preamble and epilogue are dropped.
    /// </summary>
    private static List<(int Start, int End)> Split(ReadOnlySpan<byte> body, ReadOnlySpan<byte> delimiter, int maxParts, out bool closed)
    {
        var parts = new List<(int, int)>();
        closed = false;
        var partStart = -1;
        var position = 0;
        while (position <= body.Length)
        {
            var newline = position < body.Length ? body[position..].IndexOf((byte)'\n') : -1;
            var lineEnd = newline < 0 ? body.Length : position + newline;
            var next = newline < 0 ? body.Length + 1 : lineEnd + 1;
            var line = body[position..lineEnd];

            if (line.StartsWith(delimiter))
            {
                var rest = line[delimiter.Length..];
                var isClose = rest.StartsWith("--"u8);
                if (isClose)
                {
                    rest = rest[2..];
                }

                if (rest.Trim(" \t\r"u8).Length == 0)
                {
                    if (partStart >= 0)
                    {
                        var end = position;
                        if (end > partStart && body[end - 1] == '\n')
                        {
                            end--;
                            if (end > partStart && body[end - 1] == '\r')
                            {
                                end--;
                            }
                        }

                        parts.Add((partStart, end));
                        if (parts.Count >= maxParts)
                        {
                            return parts;
                        }
                    }

                    if (isClose)
                    {
                        closed = true;
                        return parts;
                    }

                    partStart = Math.Min(next, body.Length);
                }
            }

            position = next;
        }

        if (partStart >= 0)
        {
            parts.Add((partStart, body.Length));
        }

        return parts;
    }

    private static int PreferredAlternative(List<List<HeaderField>> alternatives, MailProblems problems)
    {
        var best = -1;
        var bestScore = -1;
        for (var i = 0; i < alternatives.Count; i++)
        {
            var raw = alternatives[i].FirstOrDefault(h => string.Equals(h.Name, "Content-Type", StringComparison.OrdinalIgnoreCase))?.RawValue;
            var type = HeaderParameters.Parse(raw, problems).Value;
            if (!IsMediaType(type))
            {
                type = "text/plain";
            }

            var score = type switch
            {
                "text/plain" => 3,
                _ when type.StartsWith("multipart/", StringComparison.Ordinal) => 2,
                "text/html" => 1,
                _ => 0,
            };
            if (score > bestScore)
            {
                best = i;
                bestScore = score;
            }
        }

        return best;
    }

    private static string ReadTransferEncoding(string? raw)
    {
        if (raw is null)
        {
            return "";
        }

        var open = raw.IndexOf('(');
        return (open < 0 ? raw : raw[..open]).Trim().Trim('"').ToLowerInvariant();
    }

    private static bool IsMediaType(string value)
    {
        var slash = value.IndexOf('/');
        return slash > 0 && slash < value.Length - 1 && value.IndexOf('/', slash + 1) < 0 && value.AsSpan().IndexOfAny(" \t\"") < 0;
    }

    private static string? ContentId(string? raw) => raw?.Trim().Trim('<', '>');

    /// <summary>
    /// A file name safe to offer for download: no directories (C:\fakepath\, ../), no control
    /// characters, bounded length; a generated one when the part has none.
    /// </summary>
    internal static string SafeFileName(string? name, string mediaType, int index)
    {
        var candidate = name ?? "";
        var slash = candidate.LastIndexOfAny(['/', '\\']);
        if (slash >= 0)
        {
            candidate = candidate[(slash + 1)..];
        }

        candidate = new string(candidate.Where(c => !char.IsControl(c) && c is not ('"' or '<' or '>' or '|' or ':' or '*' or '?')).ToArray()).Trim().TrimStart('.');
        if (candidate.Length > 200)
        {
            var dot = candidate.LastIndexOf('.');
            var extension = dot > 0 && candidate.Length - dot <= 10 ? candidate[dot..] : "";
            candidate = candidate[..(200 - extension.Length)] + extension;
        }

        if (candidate.Length == 0)
        {
            candidate = $"part-{index + 1}{ExtensionFor(mediaType)}";
        }

        return candidate;
    }

    private static string ExtensionFor(string mediaType) => mediaType switch
    {
        "text/plain" => ".txt",
        "text/html" => ".html",
        "application/pdf" => ".pdf",
        "image/png" => ".png",
        "image/jpeg" => ".jpg",
        "image/gif" => ".gif",
        "message/rfc822" => ".eml",
        "text/calendar" => ".ics",
        _ => ".bin",
    };

    private static string Shorten(string? s) => s is null ? "" : s.Length <= 40 ? s : s[..40];
}

/// <summary>RFC 3676 format=flowed: soft line breaks (a trailing space) are joined back into paragraphs.</summary>
internal static class FlowedText
{
    public static string Unflow(string text, bool deleteSpace)
    {
        var output = new StringBuilder(text.Length);
        var paragraph = new StringBuilder();
        var paragraphDepth = -1;
        foreach (var rawLine in text.Split('\n'))
        {
            var depth = 0;
            while (depth < rawLine.Length && rawLine[depth] == '>')
            {
                depth++;
            }

            var content = rawLine[depth..];
            if (content.StartsWith(' '))
            {
                content = content[1..]; // space-stuffing
            }

            if (paragraphDepth >= 0 && depth != paragraphDepth)
            {
                EndParagraph();
            }

            paragraphDepth = depth;
            var flowed = content.EndsWith(' ') && content != "-- ";
            if (flowed)
            {
                paragraph.Append(deleteSpace ? content[..^1] : content);
            }
            else
            {
                paragraph.Append(content);
                EndParagraph();
            }
        }

        if (paragraphDepth >= 0)
        {
            EndParagraph();
        }

        if (output.Length > 0)
        {
            output.Length--; // the last line break was added by EndParagraph, not the text
        }

        return output.ToString();

        void EndParagraph()
        {
            if (paragraphDepth > 0)
            {
                output.Append('>', paragraphDepth).Append(' ');
            }

            output.Append(paragraph).Append('\n');
            paragraph.Clear();
            paragraphDepth = -1;
        }
    }
}

/// <summary>RFC 5322 §3.3 dates, with the obsolete zone names; null when unreadable.</summary>
internal static partial class MailDate
{
    public static DateTimeOffset? TryParse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var match = Pattern().Match(value);
        if (!match.Success)
        {
            return null;
        }

        var months = new[] { "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec" };
        var month = Array.IndexOf(months, match.Groups["mon"].Value.ToLowerInvariant()) + 1;
        var year = int.Parse(match.Groups["y"].Value, CultureInfo.InvariantCulture);
        if (match.Groups["y"].Value.Length == 2)
        {
            year += year < 50 ? 2000 : 1900;
        }

        var day = int.Parse(match.Groups["d"].Value, CultureInfo.InvariantCulture);
        var hour = int.Parse(match.Groups["h"].Value, CultureInfo.InvariantCulture);
        var minute = int.Parse(match.Groups["m"].Value, CultureInfo.InvariantCulture);
        var second = match.Groups["s"].Success ? int.Parse(match.Groups["s"].Value, CultureInfo.InvariantCulture) : 0;
        var zone = match.Groups["z"].Value;
        var offset = zone.ToUpperInvariant() switch
        {
            "" or "UT" or "GMT" or "Z" => TimeSpan.Zero,
            "EST" => TimeSpan.FromHours(-5),
            "EDT" => TimeSpan.FromHours(-4),
            "CST" => TimeSpan.FromHours(-6),
            "CDT" => TimeSpan.FromHours(-5),
            "MST" => TimeSpan.FromHours(-7),
            "MDT" => TimeSpan.FromHours(-6),
            "PST" => TimeSpan.FromHours(-8),
            "PDT" => TimeSpan.FromHours(-7),
            _ when zone.Length == 5 && zone[0] is '+' or '-' =>
                (zone[0] == '-' ? -1 : 1) * new TimeSpan(int.Parse(zone[1..3], CultureInfo.InvariantCulture), int.Parse(zone[3..5], CultureInfo.InvariantCulture), 0),
            _ => TimeSpan.Zero,
        };

        if (month < 1 || day is < 1 or > 31 || hour > 23 || minute > 59 || second > 60 || offset.Duration() > TimeSpan.FromHours(14))
        {
            return null;
        }

        try
        {
            return new DateTimeOffset(year, month, Math.Min(day, DateTime.DaysInMonth(year, month)), hour, minute, Math.Min(second, 59), offset);
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^\s*(?:[A-Za-z]{3},?\s*)?(?<d>\d{1,2})\s+(?<mon>[A-Za-z]{3})[a-z]*\s+(?<y>\d{4}|\d{2})\s+(?<h>\d{1,2}):(?<m>\d{2})(?::(?<s>\d{2}))?\s*(?<z>[+-]\d{4}|[A-Za-z]{1,5})?", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Pattern();
}
