using System.Security.Cryptography;
using System.Text;
using Wsis.Consultations.Model;
using Xunit;

namespace Wsis.Consultations.Tests;

public class TrackingNumberAndHashTests
{
    [Fact]
    public void A_tracking_number_has_the_year_two_groups_and_a_check_symbol()
    {
        var number = TrackingNumber.FromRandom(2027, [0xFF, 0x00, 0xAB, 0x12, 0x7C]);

        Assert.Matches("^CWG-27-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]$", number.Value);
        Assert.True(TrackingNumber.TryParse(number.Value, out var parsed));
        Assert.Equal(number, parsed);
    }

    [Fact]
    public void Typed_variants_are_read_back_and_every_single_symbol_typo_is_caught()
    {
        var number = TrackingNumber.New(2027).Value;

        Assert.True(TrackingNumber.TryParse(number.ToLowerInvariant().Replace("-", " ", StringComparison.Ordinal), out var typed));
        Assert.Equal(number, typed!.Value.Value);

        const string alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        var compactPositions = Enumerable.Range(4, number.Length - 4).Where(i => number[i] != '-');
        foreach (var position in compactPositions)
        {
            foreach (var replacement in alphabet.Where(c => c != number[position]))
            {
                var typo = number[..position] + replacement + number[(position + 1)..];
                Assert.False(TrackingNumber.TryParse(typo, out _), typo);
            }
        }
    }

    [Fact]
    public void Tracking_numbers_almost_never_repeat_in_a_large_sample()
    {
        // 40 random bits: among 100,000 numbers a repeat is expected with probability 0.45 % (the
        // unique index and a new draw handle it at intake), three or more about once in 10^8 runs; a
        // generator using only 20 of its bits would repeat about 4,800 times here, 30 bits about 5.
        var numbers = Enumerable.Range(0, 100_000).Select(_ => TrackingNumber.New(2027).Value).ToList();
        Assert.InRange(numbers.Count - numbers.Distinct().Count(), 0, 2);
    }

    [Fact]
    public void The_receipt_hash_is_the_SHA_256_of_the_stored_bytes()
    {
        var bytes = Encoding.UTF8.GetBytes("Réponse");
        Assert.Equal(Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant(), ResponseHashes.Sha256Hex(bytes));
    }
}
