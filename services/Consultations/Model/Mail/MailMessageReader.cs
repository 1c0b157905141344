using MimeKit;
using MimeKit.Utils;

namespace Wsis.Consultations.Model.Mail;

/// <summary>
/// Reads a raw RFC 5322 message: MimeKit parses it (header fields, RFC 2047 and RFC 2231,
/// multiparts, transfer encodings, addresses, dates); this reader adds what MimeKit does not do.
/// It never throws, whatever the input (MimeKit throws on a message without header fields): what
/// it cannot understand is reported in <see cref="ReadMessage.Problems"/> and the rest is read as
/// well as it can be. It reads ISO-8859-1 and US-ASCII labels as Windows-1252 (<see cref="MailCharsets"/>),
/// turns an HTML-only body into text, and bounds parts, depth, header fields and decoded size
/// (<see cref="MailReadLimits"/>) before MimeKit builds anything (<see cref="MessageStructureScan"/>).
/// </summary>
/// <remarks>
/// The body text is the text/plain part (in multipart/alternative the plain alternative is
/// preferred, the HTML one is converted only when there is no plain text); further inline text
/// parts of a multipart/mixed (mailing-list footers) are appended. Every other part, and every
/// part with a file name or an "attachment" disposition, is an attachment. An embedded message
/// (message/rfc822, a digest's entries) is an attachment, byte for byte, and is read the same way.
/// </remarks>
public sealed class MailMessageReader
{
    private static readonly byte[] EmptyHeaderBlock = "\r\n"u8.ToArray();
    private readonly MailReadLimits _limits;
    private readonly ParserOptions _options;

    public MailMessageReader(MailReadLimits? limits = null)
    {
        _limits = limits ?? MailReadLimits.Default;
        _options = new ParserOptions
        {
            // Undecodable 8-bit header bytes: Windows-1252, as for bodies.
            CharsetEncoding = MailCharsets.Windows1252,
            // The reader's own walk stops at MaxDepth and reports it; MimeKit only must not go deeper.
            MaxMimeDepth = _limits.MaxDepth + 1,
        };
        // Embedded messages stay leaves holding their bytes as received; each is read on its own.
        _options.RegisterMimeType("message/rfc822", typeof(EmbeddedMessage));
        _options.RegisterMimeType("message/global", typeof(EmbeddedMessage));
    }

    public ReadMessage Read(ReadOnlySpan<byte> raw) => Read(raw.ToArray(), depth: 0, new Session(_limits));

    private ReadMessage Read(byte[] raw, int depth, Session session)
    {
        var problems = new MailProblems();
        session.Root ??= problems;
        var collector = new Collector(problems);
        MimeMessage? message = null;
        try
        {
            if (!StartsWithHeaderField(raw))
            {
                // No header block at all: the whole thing is body.
                problems.Add(MailProblemKind.MalformedHeader, "the part starts without header fields");
                raw = [.. EmptyHeaderBlock, .. raw];
            }

            var readable = MessageStructureScan.Run(_options, raw, _limits, problems, (kind, detail) => session.LimitReached(problems, kind, detail));
            message = new MimeParser(_options, new MemoryStream(raw, 0, readable, writable: false), MimeFormat.Entity).ParseMessage();
            Collect(message.Body, depth, session, collector, Mode.Body);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A safety net: a message must never be lost because of a reader or MimeKit bug. The type
            // name tells maintainers what happened; no content is logged.
            problems.Add(MailProblemKind.Unreadable, $"the reader stopped early ({ex.GetType().Name}); the raw message is kept");
        }

        return Build(message, collector, problems);
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

    private ReadMessage Build(MimeMessage? message, Collector collector, MailProblems problems)
    {
        List<HeaderField> headers = [];
        MailboxAddress? from = null;
        var subject = "";
        string? messageId = null;
        DateTimeOffset? date = null;
        List<MailboxAddress> replyTo = [], to = [], cc = [];
        try
        {
            headers = HeaderFields(message?.Headers ?? Enumerable.Empty<Header>());
            string? Raw(string name) => headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase))?.RawValue;

            from = MailAddresses.ParseList(Raw("From"), problems).FirstOrDefault();
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
            date = DateUtils.TryParse(Raw("Date") ?? "", out var parsed) ? parsed : null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            problems.Add(MailProblemKind.Unreadable, $"the header fields could not be read completely ({ex.GetType().Name})");
        }

        var text = "";
        var fromHtml = false;
        if (collector.Plain.Count > 0)
        {
            text = string.Join("\n\n", collector.Plain.Select(t => t.TrimEnd()));
        }
        else if (collector.Html.Count > 0)
        {
            fromHtml = true;
            text = string.Join("\n\n", collector.Html.Select(html => HtmlToTextSafely(html, problems)));
        }
        else if (collector.Embedded.Count == 0)
        {
            problems.Add(MailProblemKind.NoTextBody, "the message has no text part");
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
    }

    /// <summary>The message's fields, unfolded; 8-bit bytes read as UTF-8 when valid, else Windows-1252. Lines that are no fields are left out.</summary>
    private List<HeaderField> HeaderFields(IEnumerable<Header> headers) =>
        headers.Where(h => h.Field.Trim().Length > 0 && h.Field.TrimEnd().All(c => c is > ' ' and <= '~' and not ':'))
            .Take(_limits.MaxHeaderFields)
            .Select(h => new HeaderField(h.Field.Trim(), MailCharsets.DecodeUnlabelled(h.RawValue).Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal).Trim()))
            .ToList();

    private static string HtmlToTextSafely(string html, MailProblems problems)
    {
        try
        {
            return HtmlText.ToText(html);
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            problems.Add(MailProblemKind.Unreadable, "the HTML body was too complex to convert to text");
            return "";
        }
    }

    private void Collect(MimeEntity? entity, int depth, Session session, Collector collector, Mode mode)
    {
        if (entity is null)
        {
            return;
        }

        var problems = collector.Problems;
        session.Parts++;
        if (session.Parts > session.Limits.MaxParts)
        {
            session.LimitReached(problems, MailProblemKind.PartLimitExceeded, $"more than {session.Limits.MaxParts} body parts; the rest were not read");
            return;
        }

        // MimeKit takes an unreadable Content-Type for application/octet-stream; RFC 2045 §5.2 recommends text/plain.
        var unreadableType = entity.Headers[HeaderId.ContentType] is { } contentType && !ContentType.TryParse(_options, contentType, out _);
        if (unreadableType)
        {
            problems.Add(MailProblemKind.MalformedHeader, "a Content-Type is not a media type; the default was used");
        }

        switch (entity)
        {
            case Multipart multipart:
                CollectMultipart(multipart, depth, session, collector, mode);
                break;
            case MimePart part when part.ContentType.MediaType.Equals("multipart", StringComparison.OrdinalIgnoreCase):
                // MimeKit stopped descending here (MaxMimeDepth).
                session.LimitReached(problems, MailProblemKind.DepthLimitExceeded, $"multiparts nested deeper than {session.Limits.MaxDepth}; the inner parts were not read");
                break;
            case MimePart part:
                var content = Decode(part, session, problems);
                if (content is null)
                {
                    break;
                }

                if (part is EmbeddedMessage)
                {
                    CollectEmbedded(part, content, depth, session, collector);
                }
                else
                {
                    CollectLeaf(part, unreadableType ? "text/plain" : part.ContentType.MimeType.ToLowerInvariant(), content, collector, mode);
                }

                break;
        }
    }

    private void CollectMultipart(Multipart multipart, int depth, Session session, Collector collector, Mode mode)
    {
        var problems = collector.Problems;
        if (depth >= session.Limits.MaxDepth)
        {
            session.LimitReached(problems, MailProblemKind.DepthLimitExceeded, $"multiparts nested deeper than {session.Limits.MaxDepth}; the inner parts were not read");
            return;
        }

        if (multipart.Count == 0)
        {
            // MimeKit keeps such a body as the preamble.
            problems.Add(MailProblemKind.MissingBoundary, multipart.Boundary is null
                ? "a multipart has no boundary parameter; its body was read as text"
                : "a multipart's boundary never occurs in its body; the body was read as text");
            if (mode == Mode.Body && !string.IsNullOrWhiteSpace(multipart.Preamble))
            {
                collector.Plain.Add(Lines(multipart.Preamble));
            }

            return;
        }

        var preferred = multipart is MultipartAlternative ? PreferredAlternative(multipart) : -1;
        for (var i = 0; i < multipart.Count; i++)
        {
            Collect(multipart[i], depth + 1, session, collector, preferred >= 0 && i != preferred ? Mode.AttachmentsOnly : mode);
        }
    }

    private void CollectEmbedded(MimePart part, byte[] content, int depth, Session session, Collector collector)
    {
        var type = part.ContentType.MimeType.ToLowerInvariant();
        var inline = IsDisposition(part, ContentDisposition.Inline);
        if (depth >= session.Limits.MaxDepth)
        {
            session.LimitReached(collector.Problems, MailProblemKind.DepthLimitExceeded, $"messages nested deeper than {session.Limits.MaxDepth}; the inner ones were not read");
            collector.Attachments.Add(new MailAttachment(SafeFileName(FileNameOf(part) ?? "message.eml", type, collector.Attachments.Count), type, content, false, null));
            return;
        }

        var embedded = Read(content, depth + 1, session);
        collector.Embedded.Add(embedded);
        var name = FileNameOf(part) ?? (embedded.Subject.Length > 0 ? embedded.Subject : "message") + ".eml";
        collector.Attachments.Add(new MailAttachment(SafeFileName(name, type, collector.Attachments.Count), type, content, inline, part.ContentId));
    }

    private static void CollectLeaf(MimePart part, string type, byte[] content, Collector collector, Mode mode)
    {
        var fileName = FileNameOf(part);
        var isText = type is "text/plain" or "text/html";
        if (IsDisposition(part, ContentDisposition.Attachment) || !string.IsNullOrWhiteSpace(fileName) || !isText)
        {
            collector.Attachments.Add(new MailAttachment(
                SafeFileName(fileName, type, collector.Attachments.Count), type, content, IsDisposition(part, ContentDisposition.Inline), part.ContentId));
            return;
        }

        if (mode != Mode.Body)
        {
            return;
        }

        var charset = part.ContentType.Charset;
        var text = Lines(MailCharsets.Decode(content, charset, out var unknown));
        if (unknown)
        {
            collector.Problems.Add(MailProblemKind.UnknownCharset, $"unknown charset '{Shorten(charset)}'; the text was read as UTF-8 or Windows-1252");
        }

        if (type == "text/html")
        {
            collector.Html.Add(text);
            return;
        }

        var parameters = part.ContentType.Parameters;
        if (string.Equals(parameters["format"], "flowed", StringComparison.OrdinalIgnoreCase))
        {
            text = FlowedText.Unflow(text, string.Equals(parameters["delsp"], "yes", StringComparison.OrdinalIgnoreCase));
        }

        collector.Plain.Add(text);
    }

    /// <summary>The part's content, decoded; null once the message's decoded bytes pass the limit.</summary>
    private static byte[]? Decode(MimePart part, Session session, MailProblems problems)
    {
        if (session.DecodedBytes >= session.Limits.MaxDecodedBytes)
        {
            session.LimitReached(problems, MailProblemKind.SizeLimitExceeded, $"more than {session.Limits.MaxDecodedBytes} decoded bytes; the rest was not decoded");
            return null;
        }

        // MimeKit keeps the content as it stands in the message; the decoding (and its reporting) is ours.
        using var encoded = new MemoryStream();
        if (part.Content?.Stream is { } stream)
        {
            stream.Position = 0;
            stream.CopyTo(encoded);
        }

        var body = encoded.GetBuffer().AsSpan(0, (int)encoded.Length);
        var transferEncoding = part.Headers[HeaderId.ContentTransferEncoding] is { } header
            ? header.Split('(')[0].Trim().Trim('"').ToLowerInvariant()
            : "";
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

    private static int PreferredAlternative(Multipart alternatives)
    {
        var best = -1;
        var bestScore = -1;
        for (var i = 0; i < alternatives.Count; i++)
        {
            var type = alternatives[i].ContentType;
            var score = type.IsMimeType("text", "plain") ? 3
                : type.MediaType.Equals("multipart", StringComparison.OrdinalIgnoreCase) ? 2
                : type.IsMimeType("text", "html") ? 1
                : 0;
            if (score > bestScore)
            {
                best = i;
                bestScore = score;
            }
        }

        return best;
    }

    /// <summary>
    /// Whether the message begins with a header field (or an mbox "From " line, which MimeKit skips);
    /// a message that begins with anything else has no header block and is all body.
    /// </summary>
    private static bool StartsWithHeaderField(ReadOnlySpan<byte> raw)
    {
        var newline = raw.IndexOf((byte)'\n');
        var line = newline < 0 ? raw : raw[..newline];
        if (line.StartsWith("From "u8))
        {
            return true;
        }

        var colon = line.IndexOf((byte)':');
        return colon > 0 && line[..colon].TrimEnd((byte)' ').Length > 0 && !line[..colon].TrimEnd((byte)' ').ContainsAnyExceptInRange((byte)33, (byte)126);
    }

    private static bool IsDisposition(MimeEntity part, string disposition) =>
        string.Equals(part.ContentDisposition?.Disposition, disposition, StringComparison.OrdinalIgnoreCase);

    /// <summary>The Content-Disposition file name, else the Content-Type name (MimeKit decodes both).</summary>
    private static string? FileNameOf(MimePart part) => part.FileName is { } name ? MailCharsets.RepairWindows1252(name) : null;

    private static string Lines(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');

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

    /// <summary>A message/rfc822 or message/global part kept as a leaf: its content is the embedded message as received.</summary>
    internal sealed class EmbeddedMessage(MimeEntityConstructorArgs args) : MimePart(args);
}
