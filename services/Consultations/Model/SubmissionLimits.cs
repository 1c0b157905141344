namespace Wsis.Consultations.Model;

/// <summary>
/// Limits on what one response may carry, bound from configuration section
/// <c>Consultations:Limits</c> (e.g. <c>Consultations:Limits:MaxAttachments=5</c>). The defaults
/// below apply when a key is absent. A web submission over a limit is refused with
/// INVALID_ARGUMENT naming the key; nothing of it is stored.
/// </summary>
public sealed class SubmissionLimits
{
    public const string Section = "Consultations:Limits";

    /// <summary>Default 200,000 characters of response text (a long, detailed contribution is ~60,000).</summary>
    public int MaxTextCharacters { get; set; } = 200_000;

    /// <summary>Default 10 attachments per response.</summary>
    public int MaxAttachments { get; set; } = 10;

    /// <summary>Default 10 MiB per attachment.</summary>
    public long MaxAttachmentBytes { get; set; } = 10L * 1024 * 1024;

    /// <summary>Default 25 MiB for all attachments of one response together.</summary>
    public long MaxTotalAttachmentBytes { get; set; } = 25L * 1024 * 1024;

    /// <summary>
    /// Default 40 MiB for a raw e-mail (25 MiB of attachments grow by a third in base64). A larger
    /// message is refused so the mail server bounces it to the sender instead of losing it.
    /// </summary>
    public long MaxEmailBytes { get; set; } = 40L * 1024 * 1024;

    /// <summary>
    /// Media types accepted for web attachments. When configured, the list replaces the default
    /// (<see cref="DefaultMediaTypes"/>) rather than extending it. E-mail attachments are kept
    /// whatever their type: the raw message is the response.
    /// </summary>
    public string[]? AllowedMediaTypes { get; set; }

    public static IReadOnlyList<string> DefaultMediaTypes { get; } =
    [
        "application/pdf",
        "text/plain",
        "text/csv",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.spreadsheet",
        "image/png",
        "image/jpeg",
    ];

    public IReadOnlyList<string> EffectiveMediaTypes =>
        AllowedMediaTypes is { Length: > 0 } configured ? configured : DefaultMediaTypes;

    /// <summary>The first limit a web submission breaks, or null when it is within every limit.</summary>
    public LimitViolation? Check(string text, IReadOnlyList<(string FileName, string MediaType, long Length)> attachments)
    {
        if (string.IsNullOrWhiteSpace(text) && attachments.Count == 0)
        {
            return new LimitViolation("text", "text: a response needs a text or at least one attachment");
        }

        if (text.Length > MaxTextCharacters)
        {
            return Over(nameof(MaxTextCharacters), "text", $"{text.Length} characters", MaxTextCharacters);
        }

        if (attachments.Count > MaxAttachments)
        {
            return Over(nameof(MaxAttachments), "attachments", $"{attachments.Count} attachments", MaxAttachments);
        }

        long total = 0;
        for (var i = 0; i < attachments.Count; i++)
        {
            var (fileName, mediaType, length) = attachments[i];
            var field = $"attachments[{i}]";
            if (string.IsNullOrWhiteSpace(fileName) || fileName.Length > 255 || fileName.AsSpan().IndexOfAny("/\\\0") >= 0 || fileName.Any(char.IsControl))
            {
                return new LimitViolation($"{field}.file_name", $"{field}.file_name: a file name of 1 to 255 characters without path separators or control characters is required");
            }

            if (length == 0)
            {
                return new LimitViolation($"{field}.content", $"{field}.content: the attachment is empty");
            }

            if (!EffectiveMediaTypes.Contains(mediaType.Trim().ToLowerInvariant(), StringComparer.Ordinal))
            {
                return new LimitViolation($"{Section}:AllowedMediaTypes",
                    $"{field}.media_type: '{Shorten(mediaType)}' is not allowed by {Section}:AllowedMediaTypes ({string.Join(", ", EffectiveMediaTypes)})");
            }

            if (length > MaxAttachmentBytes)
            {
                return Over(nameof(MaxAttachmentBytes), $"{field}.content", $"{length} bytes", MaxAttachmentBytes);
            }

            total += length;
        }

        if (total > MaxTotalAttachmentBytes)
        {
            return Over(nameof(MaxTotalAttachmentBytes), "attachments", $"{total} bytes in all", MaxTotalAttachmentBytes);
        }

        return null;
    }

    /// <summary>Checks the size of a raw e-mail.</summary>
    public LimitViolation? CheckEmail(long length) =>
        length > MaxEmailBytes ? Over(nameof(MaxEmailBytes), "raw_message", $"{length} bytes", MaxEmailBytes)
        : length == 0 ? new LimitViolation("raw_message", "raw_message: the message is empty")
        : null;

    private static LimitViolation Over(string key, string field, string actual, long limit) =>
        new($"{Section}:{key}", $"{field}: {actual} exceed the limit {Section}:{key} = {limit}");

    private static string Shorten(string s) => s.Length <= 80 ? s : s[..80];
}

/// <summary>A broken limit or rule: the limit's configuration key (or the field) and a message naming it.</summary>
public sealed record LimitViolation(string Limit, string Message);
