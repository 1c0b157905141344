namespace Wsis.Consultations.Model.Mail;

/// <summary>
/// Content-Transfer-Encoding decoders (RFC 2045 §6), written to be lenient: they never throw,
/// decode everything they can and report what they had to skip.
/// </summary>
internal static class TransferEncodings
{
    public static bool IsHex(char c) => c is >= '0' and <= '9' or >= 'A' and <= 'F' or >= 'a' and <= 'f';

    public static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => c - 'a' + 10,
    };

    private static int Base64Value(byte b) => b switch
    {
        >= (byte)'A' and <= (byte)'Z' => b - 'A',
        >= (byte)'a' and <= (byte)'z' => b - 'a' + 26,
        >= (byte)'0' and <= (byte)'9' => b - '0' + 52,
        (byte)'+' or (byte)'-' => 62, // '-' and '_' are the URL-safe alphabet some encoders use
        (byte)'/' or (byte)'_' => 63,
        _ => -1,
    };

    /// <summary>
    /// Base64 with line breaks anywhere, missing padding tolerated, other characters skipped
    /// (reported). Decoding stops at the first '=' padding; text after it is ignored.
    /// </summary>
    public static byte[] DecodeBase64(ReadOnlySpan<byte> input, MailProblems problems)
    {
        var output = new byte[input.Length / 4 * 3 + 3];
        var length = 0;
        var accumulator = 0;
        var bits = 0;
        var invalid = false;
        var count = 0;

        foreach (var b in input)
        {
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                continue;
            }

            if (b == '=')
            {
                break;
            }

            var value = Base64Value(b);
            if (value < 0)
            {
                invalid = true;
                continue;
            }

            count++;
            accumulator = accumulator << 6 | value;
            bits += 6;
            if (bits >= 8)
            {
                bits -= 8;
                output[length++] = (byte)(accumulator >> bits);
                accumulator &= (1 << bits) - 1;
            }
        }

        if (invalid)
        {
            problems.Add(MailProblemKind.InvalidBase64, "base64 content has characters outside the alphabet; they were skipped");
        }

        if (count % 4 == 1)
        {
            problems.Add(MailProblemKind.InvalidBase64, "base64 content ends with a dangling character; it was ignored");
        }

        return output.AsSpan(0, length).ToArray();
    }

    /// <summary>
    /// Quoted-printable: soft line breaks joined, =XX decoded, trailing whitespace on encoded
    /// lines dropped (RFC 2045 §6.7 rule 3). Broken escapes are kept literally and reported.
    /// Hard line breaks come out as CRLF, the canonical form.
    /// </summary>
    public static byte[] DecodeQuotedPrintable(ReadOnlySpan<byte> input, MailProblems problems)
    {
        var output = new byte[input.Length];
        var length = 0;
        var invalid = false;
        var position = 0;

        while (position < input.Length)
        {
            var newline = input[position..].IndexOf((byte)'\n');
            var lineEnd = newline < 0 ? input.Length : position + newline;
            var hasNewline = newline >= 0;
            var line = input[position..lineEnd];
            if (line.Length > 0 && line[^1] == '\r')
            {
                line = line[..^1];
            }

            while (line.Length > 0 && line[^1] is (byte)' ' or (byte)'\t')
            {
                line = line[..^1];
            }

            var soft = line.Length > 0 && line[^1] == '=';
            if (soft)
            {
                line = line[..^1];
            }

            EnsureRoom(ref output, length + line.Length + 2);
            for (var i = 0; i < line.Length; i++)
            {
                var b = line[i];
                if (b == '=' && i + 2 < line.Length && IsHex((char)line[i + 1]) && IsHex((char)line[i + 2]))
                {
                    output[length++] = (byte)(HexValue((char)line[i + 1]) << 4 | HexValue((char)line[i + 2]));
                    i += 2;
                }
                else
                {
                    if (b == '=')
                    {
                        invalid = true;
                    }

                    output[length++] = b;
                }
            }

            if (hasNewline && !soft)
            {
                output[length++] = (byte)'\r';
                output[length++] = (byte)'\n';
            }

            position = lineEnd + 1;
        }

        if (invalid)
        {
            problems.Add(MailProblemKind.InvalidQuotedPrintable, "quoted-printable content has '=' not followed by two hex digits; kept literally");
        }

        return output.AsSpan(0, length).ToArray();
    }

    private static void EnsureRoom(ref byte[] buffer, int needed)
    {
        if (buffer.Length < needed)
        {
            Array.Resize(ref buffer, Math.Max(needed, buffer.Length * 2));
        }
    }
}
