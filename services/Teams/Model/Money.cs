using System.Globalization;

namespace Wsis.Teams.Model;

/// <summary>An amount in an ISO 4217 currency, counted in the currency's minor unit (centimes for CHF) so no rounding ever happens.</summary>
public readonly record struct Money(long AmountMinor, string Currency)
{
    private static readonly Lazy<HashSet<string>> KnownCurrencies = new(() =>
        CultureInfo.GetCultures(CultureTypes.SpecificCultures)
            .Select(c => { try { return new RegionInfo(c.Name).ISOCurrencySymbol; } catch (ArgumentException) { return null; } })
            .Where(s => s is { Length: 3 })
            .Select(s => s!)
            .Concat(["CHF", "EUR", "USD", "XDR"])
            .ToHashSet(StringComparer.Ordinal));

    /// <summary>A positive amount in a currency the runtime knows; errors name <paramref name="field"/> (e.g. <c>funding[0].amount</c>).</summary>
    public static Money Of(long amountMinor, string? currency, string field)
    {
        var code = currency?.Trim().ToUpperInvariant();
        if (string.IsNullOrEmpty(code))
            throw DomainException.InvalidArgument($"{field}.currency_code is required (ISO 4217, e.g. CHF)");
        if (code.Length != 3 || !KnownCurrencies.Value.Contains(code))
            throw DomainException.InvalidArgument($"{field}.currency_code '{(code.Length > 8 ? code[..8] : code)}' is not an ISO 4217 currency code");
        if (amountMinor <= 0)
            throw DomainException.InvalidArgument($"{field}.amount_minor must be greater than zero");
        return new Money(amountMinor, code);
    }

    public override string ToString() => $"{AmountMinor.ToString(CultureInfo.InvariantCulture)} {Currency} (minor units)";
}
