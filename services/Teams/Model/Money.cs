using System.Globalization;

namespace Wsis.Teams.Model;

/// <summary>An amount in an ISO 4217 currency.</summary>
public readonly record struct Money(decimal Amount, string Currency)
{
    private static readonly Lazy<HashSet<string>> KnownCurrencies = new(() =>
        CultureInfo.GetCultures(CultureTypes.SpecificCultures)
            .Select(c => { try { return new RegionInfo(c.Name).ISOCurrencySymbol; } catch (ArgumentException) { return null; } })
            .Where(s => s is { Length: 3 })
            .Select(s => s!)
            .Concat(["CHF", "EUR", "USD", "XDR"])
            .ToHashSet(StringComparer.Ordinal));

    /// <summary>A positive amount with at most four decimal places in a currency the runtime knows; errors name <paramref name="field"/>.</summary>
    public static Money Of(decimal amount, string? currency, string field)
    {
        if (amount <= 0)
            throw DomainException.InvalidArgument($"{field}.amount must be greater than zero");
        if (amount > 1_000_000_000_000m)
            throw DomainException.InvalidArgument($"{field}.amount is too large");
        if (decimal.Round(amount, 4) != amount)
            throw DomainException.InvalidArgument($"{field}.amount has more than four decimal places");
        var code = currency?.Trim().ToUpperInvariant();
        if (string.IsNullOrEmpty(code))
            throw DomainException.InvalidArgument($"{field}.currency is required (ISO 4217, e.g. CHF)");
        if (code.Length != 3 || !KnownCurrencies.Value.Contains(code))
            throw DomainException.InvalidArgument($"{field}.currency '{(code.Length > 8 ? code[..8] : code)}' is not an ISO 4217 currency code");
        return new Money(amount, code);
    }

    public override string ToString() => $"{Amount.ToString(CultureInfo.InvariantCulture)} {Currency}";
}
