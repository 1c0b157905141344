using MimeKit.Encodings;

namespace Wsis.Consultations.Model.Mail;

/// <summary>
/// Content-Transfer-Encoding (RFC 2045 §6) with MimeKit's decoders, plus what they leave out.
/// They decode broken input without a word, so the input is checked first and what is wrong is
/// reported (the secretariat should know a text may be damaged); and MimeKit keeps the transport
/// padding (trailing whitespace) on quoted-printable lines, which RFC 2045 §6.7 rule 3 says to drop.
/// </summary>
internal static class TransferEncodings
{
    public static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    public static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>Base64 with line breaks anywhere and missing padding tolerated; characters outside the alphabet are skipped and reported.</summary>
    public static byte[] DecodeBase64(ReadOnlySpan<byte> input, MailProblems problems)
    {
        var symbols = 0;
        var invalid = false;
        var padded = false;
        foreach (var b in input)
        {
            if (b == '=')
            {
                padded = true;
                break;
            }

            if (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'+' or (byte)'/')
            {
                symbols++;
            }
            else if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                invalid = true;
            }
        }

        if (invalid)
        {
            problems.Add(MailProblemKind.InvalidBase64, "base64 content has characters outside the alphabet; they were skipped");
        }

        if (symbols % 4 == 1)
        {
            problems.Add(MailProblemKind.InvalidBase64, "base64 content ends with a dangling character; it was ignored");
        }

        // MimeKit drops a last group that lacks its padding ("w6k" for "é"); mailers do leave it out.
        return padded || symbols % 4 is 0 or 1
            ? Run(new Base64Decoder(), input)
            : Run(new Base64Decoder(), [.. input, .. "=="u8[..(4 - symbols % 4)]]);
    }

    /// <summary>
    /// Quoted-printable: soft line breaks joined, =XX decoded, trailing whitespace on encoded lines
    /// dropped. A '=' not followed by two hex digits is kept literally and reported.
    /// </summary>
    public static byte[] DecodeQuotedPrintable(ReadOnlySpan<byte> input, MailProblems problems)
    {
        var unpadded = WithoutTransportPadding(input);
        for (var i = 0; i < unpadded.Length; i++)
        {
            if (unpadded[i] != '=')
            {
                continue;
            }

            var rest = unpadded.AsSpan(i + 1);
            var escape = rest.Length >= 2 && IsHex((char)rest[0]) && IsHex((char)rest[1]);
            var softBreak = rest.IsEmpty || rest[0] == '\n' || rest.StartsWith("\r\n"u8);
            if (!escape && !softBreak)
            {
                problems.Add(MailProblemKind.InvalidQuotedPrintable, "quoted-printable content has '=' not followed by two hex digits; kept literally");
                break;
            }
        }

        return Run(new QuotedPrintableDecoder(), unpadded);
    }

    private static byte[] WithoutTransportPadding(ReadOnlySpan<byte> input)
    {
        var output = new List<byte>(input.Length);
        var padding = 0; // spaces and tabs written but perhaps to be taken back at the line's end
        foreach (var b in input)
        {
            if (b is (byte)'\r' or (byte)'\n')
            {
                output.RemoveRange(output.Count - padding, padding);
            }

            padding = b is (byte)' ' or (byte)'\t' ? padding + 1 : 0;
            output.Add(b);
        }

        output.RemoveRange(output.Count - padding, padding);
        return [.. output];
    }

    private static byte[] Run(IMimeDecoder decoder, ReadOnlySpan<byte> input)
    {
        var source = input.ToArray();
        var output = new byte[decoder.EstimateOutputLength(source.Length)];
        var length = decoder.Decode(source, 0, source.Length, output);
        return output.AsSpan(0, length).ToArray();
    }
}
