using System.Text;

namespace Wsis.Consultations.Model.Mail;

/// <summary>
/// Maps the charset labels found in real mail to .NET encodings. The code-page encodings
/// (ISO-8859-x beyond Latin-1, Windows-125x, KOI8-R…) live in the runtime's
/// <see cref="CodePagesEncodingProvider"/>, registered once here.
/// </summary>
internal static class MailCharsets
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    static MailCharsets() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>Windows-1252, the fallback for unlabelled or mislabelled 8-bit text.</summary>
    public static Encoding Windows1252 { get; } = GetRegistered(1252);

    private static Encoding GetRegistered(int codePage)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(codePage);
    }

    /// <summary>Finds the encoding for a label; <c>null</c> when the label is unknown.</summary>
    public static Encoding? Find(string? label)
    {
        if (string.IsNullOrWhiteSpace(label))
        {
            return null;
        }

        var name = label.Trim().Trim('"', '\'').ToLowerInvariant();
        // RFC 2231 allows a language after '*' inside encoded words: "utf-8*en".
        var star = name.IndexOf('*');
        if (star >= 0)
        {
            name = name[..star];
        }

        name = name switch
        {
            "utf8" => "utf-8",
            "latin1" or "latin-1" or "l1" => "iso-8859-1",
            "ascii" or "us-ascii" or "ansi_x3.4-1968" => "us-ascii",
            _ when name.StartsWith("cp125", StringComparison.Ordinal) && name.Length == 6 => "windows-" + name[2..],
            _ when name.StartsWith("windows125", StringComparison.Ordinal) => "windows-" + name[7..],
            _ when name.StartsWith("iso8859-", StringComparison.Ordinal) => "iso-8859-" + name[8..],
            _ when name.StartsWith("iso_8859-", StringComparison.Ordinal) => "iso-8859-" + name[9..],
            _ when name.StartsWith("iso-8859-", StringComparison.Ordinal) && name.Contains(':') => name[..name.IndexOf(':')],
            _ => name,
        };

        // Mailers label Windows-1252 text as ISO-8859-1 or US-ASCII all the time (curly quotes,
        // the euro sign); like browsers (WHATWG Encoding), read those labels as Windows-1252, a
        // superset that only differs in the C1 control range no one sends on purpose.
        if (name is "iso-8859-1" or "us-ascii")
        {
            return Windows1252;
        }

        switch (name)
        {
            case "iso-8859-10" or "latin6" or "l6":
                return Latin1SupersetEncoding.Iso8859_10;
            case "iso-8859-14" or "latin8" or "l8":
                return Latin1SupersetEncoding.Iso8859_14;
            case "iso-8859-11" or "tis-620":
                return Encoding.GetEncoding(874); // Windows-874 is a superset of TIS-620 / ISO-8859-11
        }

        try
        {
            return Encoding.GetEncoding(name);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// Decodes text whose charset is <paramref name="label"/>. Without a label, or with an
    /// unknown one, UTF-8 is tried strictly and Windows-1252 is the fallback.
    /// </summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string? label, out bool labelUnknown)
    {
        labelUnknown = false;
        var encoding = Find(label);
        if (encoding is null)
        {
            labelUnknown = !string.IsNullOrWhiteSpace(label);
            return DecodeUnlabelled(bytes);
        }

        if (ReferenceEquals(encoding, Windows1252) && IsAscii(bytes))
        {
            return Encoding.ASCII.GetString(bytes);
        }

        // A label of US-ASCII/ISO-8859-1 on bytes that are valid UTF-8 with multi-byte sequences is
        // almost always a mislabelled UTF-8 body (common in web-form generated mail).
        if (ReferenceEquals(encoding, Windows1252) && string.Equals(label?.Trim(), "us-ascii", StringComparison.OrdinalIgnoreCase))
        {
            return DecodeUnlabelled(bytes);
        }

        return encoding.GetString(bytes);
    }

    /// <summary>Unlabelled 8-bit text: UTF-8 when it is valid UTF-8, otherwise Windows-1252.</summary>
    public static string DecodeUnlabelled(ReadOnlySpan<byte> bytes)
    {
        if (IsAscii(bytes))
        {
            return Encoding.ASCII.GetString(bytes);
        }

        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return Windows1252.GetString(bytes);
        }
    }

    /// <summary>
    /// Text MimeKit decoded itself (display names, file names) with ISO-8859-1 for that label: its C1
    /// controls (U+0080–U+009F) are the Windows-1252 characters the sender meant (’ “ ” – €), as
    /// <see cref="Find"/> reads the label everywhere else.
    /// </summary>
    public static string RepairWindows1252(string text)
    {
        if (!text.Any(c => c is >= '\u0080' and <= '\u009F'))
        {
            return text;
        }

        return string.Concat(text.Select(c => c is >= '\u0080' and <= '\u009F' ? Windows1252.GetString([(byte)c]) : c.ToString()));
    }

    private static bool IsAscii(ReadOnlySpan<byte> bytes) => System.Text.Ascii.IsValid(bytes);
}
