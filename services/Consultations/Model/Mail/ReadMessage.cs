namespace Wsis.Consultations.Model.Mail;

/// <summary>A header field as it appears in the message, unfolded, not yet decoded.</summary>
public sealed record HeaderField(string Name, string RawValue);

/// <summary>An attachment found in a message, decoded.</summary>
public sealed record MailAttachment(string FileName, string MediaType, byte[] Content, bool Inline, string? ContentId);

/// <summary>
/// What the reader understood of a message. The raw bytes remain the response; this is the
/// reading of them (sender, subject, text, attachments) and the problems met on the way.
/// </summary>
public sealed class ReadMessage
{
    public required IReadOnlyList<HeaderField> Headers { get; init; }
    public MailboxAddress? From { get; init; }
    public IReadOnlyList<MailboxAddress> ReplyTo { get; init; } = [];
    public IReadOnlyList<MailboxAddress> To { get; init; } = [];
    public IReadOnlyList<MailboxAddress> Cc { get; init; } = [];
    public string Subject { get; init; } = "";
    public string? MessageId { get; init; }
    public DateTimeOffset? Date { get; init; }

    /// <summary>The text of the message (LF line breaks): the text/plain body, or the HTML body as text.</summary>
    public string Text { get; init; } = "";

    /// <summary>True when <see cref="Text"/> was made from an HTML part because there was no plain text.</summary>
    public bool TextFromHtml { get; init; }

    public IReadOnlyList<MailAttachment> Attachments { get; init; } = [];

    /// <summary>Messages carried inside this one (message/rfc822 parts, digests), read the same way.</summary>
    public IReadOnlyList<ReadMessage> EmbeddedMessages { get; init; } = [];

    public IReadOnlyList<MailProblem> Problems { get; init; } = [];

    public bool IsMalformed => Problems.Count > 0;

    /// <summary>The decoded value of the first header field with this name, or null.</summary>
    public string? Header(string name) => Field(name) is { } field ? EncodedWords.Decode(field.RawValue, null) : null;

    /// <summary>The mailboxes of the first header field with this name (e.g. X-Original-From); empty when none can be read.</summary>
    public IReadOnlyList<MailboxAddress> Addresses(string name) => MailAddresses.ParseList(Field(name)?.RawValue, null);

    private HeaderField? Field(string name) =>
        Headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase));
}
