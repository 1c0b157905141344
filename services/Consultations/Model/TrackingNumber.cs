using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Wsis.Consultations.Model;

/// <summary>
/// The number a respondent quotes about a response, e.g. <c>CWG-27-4KQ9-MX7T-B</c>: the
/// two-digit year of receipt, eight random symbols (40 bits) in Crockford's base 32 (no I, L, O
/// or U, so it reads aloud and copies without confusion) and a Luhn mod 32 check symbol that
/// catches every single mistyped symbol and most swapped neighbours. Uniqueness is enforced
/// by the database (unique index); a collision is retried with a fresh number.
/// </summary>
public readonly record struct TrackingNumber
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private const string Prefix = "CWG";

    private TrackingNumber(string value) => Value = value;

    public string Value { get; }

    public override string ToString() => Value;

    public static TrackingNumber New(int year)
    {
        Span<byte> random = stackalloc byte[5];
        RandomNumberGenerator.Fill(random);
        return FromRandom(year, random);
    }

    internal static TrackingNumber FromRandom(int year, ReadOnlySpan<byte> fortyBits)
    {
        ulong bits = 0;
        foreach (var b in fortyBits[..5])
        {
            bits = bits << 8 | b;
        }

        Span<char> symbols = stackalloc char[8];
        for (var i = 7; i >= 0; i--)
        {
            symbols[i] = Alphabet[(int)(bits & 31)];
            bits >>= 5;
        }

        var yy = (year % 100).ToString("00", System.Globalization.CultureInfo.InvariantCulture);
        var check = CheckSymbol($"{yy}{symbols}");
        return new TrackingNumber($"{Prefix}-{yy}-{symbols[..4]}-{symbols[4..]}-{check}");
    }

    /// <summary>
    /// Reads a number as people type it: any case, with or without hyphens and spaces, I/L read
    /// as 1 and O as 0. Fails when the check symbol does not match.
    /// </summary>
    public static bool TryParse(string? input, [NotNullWhen(true)] out TrackingNumber? number)
    {
        number = null;
        if (string.IsNullOrWhiteSpace(input))
        {
            return false;
        }

        var compact = new string(input.Where(c => c is not ('-' or ' ')).Select(char.ToUpperInvariant).ToArray());
        if (!compact.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        compact = compact[Prefix.Length..].Replace('I', '1').Replace('L', '1').Replace('O', '0');
        if (compact.Length != 11 || !char.IsAsciiDigit(compact[0]) || !char.IsAsciiDigit(compact[1]) || compact.Any(c => !Alphabet.Contains(c)))
        {
            return false;
        }

        if (CheckSymbol(compact.AsSpan(0, 10)) != compact[10])
        {
            return false;
        }

        number = new TrackingNumber($"{Prefix}-{compact[..2]}-{compact[2..6]}-{compact[6..10]}-{compact[10]}");
        return true;
    }

    /// <summary>Luhn mod N (N = 32) over the symbols.</summary>
    private static char CheckSymbol(ReadOnlySpan<char> payload)
    {
        const int n = 32;
        var factor = 2;
        var sum = 0;
        for (var i = payload.Length - 1; i >= 0; i--)
        {
            var addend = factor * Alphabet.IndexOf(payload[i]);
            factor = factor == 2 ? 1 : 2;
            sum += addend / n + addend % n;
        }

        var remainder = sum % n;
        return Alphabet[(n - remainder) % n];
    }
}
