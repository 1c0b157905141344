using System.Text;

namespace Wsis.Consultations.Model.Mail;

/// <summary>
/// A single-byte ISO 8859 charset that the .NET code-page provider lacks (ISO-8859-10 "Latin-6"
/// Nordic, ISO-8859-14 "Latin-8" Celtic): bytes 0x00–0x9F are the same as Latin-1, 0xA0–0xFF come
/// from the charset's table (the Unicode Consortium's mapping files). Unmappable characters
/// encode as '?', unknown bytes cannot occur (every byte maps).
/// </summary>
internal sealed class Latin1SupersetEncoding : Encoding
{
    private readonly string _name;
    private readonly string _upper;
    private readonly Dictionary<char, byte> _reverse = [];

    private Latin1SupersetEncoding(string name, string upper)
    {
        _name = name;
        _upper = upper;
        for (var i = 0; i < 0xA0; i++)
        {
            _reverse[(char)i] = (byte)i;
        }

        for (var i = 0; i < upper.Length; i++)
        {
            _reverse.TryAdd(upper[i], (byte)(0xA0 + i));
        }
    }

    public static Latin1SupersetEncoding Iso8859_10 { get; } = new("iso-8859-10", "\u00A0\u0104\u0112\u0122\u012A\u0128\u0136\u00A7\u013B\u0110\u0160\u0166\u017D\u00AD\u016A\u014A\u00B0\u0105\u0113\u0123\u012B\u0129\u0137\u00B7\u013C\u0111\u0161\u0167\u017E\u2015\u016B\u014B\u0100\u00C1\u00C2\u00C3\u00C4\u00C5\u00C6\u012E\u010C\u00C9\u0118\u00CB\u0116\u00CD\u00CE\u00CF\u00D0\u0145\u014C\u00D3\u00D4\u00D5\u00D6\u0168\u00D8\u0172\u00DA\u00DB\u00DC\u00DD\u00DE\u00DF\u0101\u00E1\u00E2\u00E3\u00E4\u00E5\u00E6\u012F\u010D\u00E9\u0119\u00EB\u0117\u00ED\u00EE\u00EF\u00F0\u0146\u014D\u00F3\u00F4\u00F5\u00F6\u0169\u00F8\u0173\u00FA\u00FB\u00FC\u00FD\u00FE\u0138");

    public static Latin1SupersetEncoding Iso8859_14 { get; } = new("iso-8859-14", "\u00A0\u1E02\u1E03\u00A3\u010A\u010B\u1E0A\u00A7\u1E80\u00A9\u1E82\u1E0B\u1EF2\u00AD\u00AE\u0178\u1E1E\u1E1F\u0120\u0121\u1E40\u1E41\u00B6\u1E56\u1E81\u1E57\u1E83\u1E60\u1EF3\u1E84\u1E85\u1E61\u00C0\u00C1\u00C2\u00C3\u00C4\u00C5\u00C6\u00C7\u00C8\u00C9\u00CA\u00CB\u00CC\u00CD\u00CE\u00CF\u0174\u00D1\u00D2\u00D3\u00D4\u00D5\u00D6\u1E6A\u00D8\u00D9\u00DA\u00DB\u00DC\u00DD\u0176\u00DF\u00E0\u00E1\u00E2\u00E3\u00E4\u00E5\u00E6\u00E7\u00E8\u00E9\u00EA\u00EB\u00EC\u00ED\u00EE\u00EF\u0175\u00F1\u00F2\u00F3\u00F4\u00F5\u00F6\u1E6B\u00F8\u00F9\u00FA\u00FB\u00FC\u00FD\u0177\u00FF");

    public override string WebName => _name;

    public override int GetByteCount(char[] chars, int index, int count) => count;

    public override int GetBytes(char[] chars, int charIndex, int charCount, byte[] bytes, int byteIndex)
    {
        for (var i = 0; i < charCount; i++)
        {
            bytes[byteIndex + i] = _reverse.TryGetValue(chars[charIndex + i], out var b) ? b : (byte)'?';
        }

        return charCount;
    }

    public override int GetCharCount(byte[] bytes, int index, int count) => count;

    public override int GetChars(byte[] bytes, int byteIndex, int byteCount, char[] chars, int charIndex)
    {
        for (var i = 0; i < byteCount; i++)
        {
            var b = bytes[byteIndex + i];
            chars[charIndex + i] = b < 0xA0 ? (char)b : _upper[b - 0xA0];
        }

        return byteCount;
    }

    public override int GetMaxByteCount(int charCount) => charCount;

    public override int GetMaxCharCount(int byteCount) => byteCount;
}
