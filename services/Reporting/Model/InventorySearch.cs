using System.Globalization;

namespace Wsis.Reporting.Model;

public sealed record InventoryQuery(int? Year = null, string? ActionLineCode = null, string? CountryCode = null, string? Text = null);

/// <summary>Search over the global stocktaking inventory.</summary>
public static class InventorySearch
{
    private static readonly CompareInfo Compare = CultureInfo.InvariantCulture.CompareInfo;
    private const CompareOptions Loose = CompareOptions.IgnoreCase | CompareOptions.IgnoreNonSpace;

    /// <summary>
    /// Entries matching every given criterion, newest year first, then in submission order. An
    /// action line matches its sub-lines (C7 finds e-health); text matches title or description
    /// regardless of case and accents, every word somewhere.
    /// </summary>
    public static IEnumerable<InventoryEntry> Filter(IEnumerable<InventoryEntry> entries, InventoryQuery q)
    {
        var words = (q.Text ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return entries
            .Where(e => q.Year is null || e.Year == q.Year)
            .Where(e => string.IsNullOrWhiteSpace(q.ActionLineCode) || e.ActionLineCodes.Any(c => ActionLines.IsWithin(c, q.ActionLineCode)))
            .Where(e => string.IsNullOrWhiteSpace(q.CountryCode) || e.CountryCodes.Contains(q.CountryCode.Trim().ToUpperInvariant()))
            .Where(e => words.All(w => Contains(e.Title, w) || Contains(e.Description, w)))
            .OrderByDescending(e => e.Year)
            .ThenBy(e => e.SubmittedAt)
            .ThenBy(e => e.ContributionId)
            .ThenBy(e => e.Position);
    }

    /// <summary>INVALID_ARGUMENT naming every filter that cannot match anything (an unknown action line or country).</summary>
    public static void Check(InventoryQuery q)
    {
        var errors = new FieldErrors();
        if (!string.IsNullOrWhiteSpace(q.ActionLineCode) && !ActionLines.IsKnown(q.ActionLineCode))
            errors.Add("action_line_code", "is not a WSIS action line (C1–C11, C7.E-GOVERNMENT … C7.E-SCIENCE)");
        if (!string.IsNullOrWhiteSpace(q.CountryCode) && !CountryCode.IsAssigned(q.CountryCode))
            errors.Add("country_code", "must be an ISO 3166-1 alpha-2 country code (two letters such as KE)");
        errors.ThrowIfAny();
    }

    private static bool Contains(string haystack, string needle) => Compare.IndexOf(haystack, needle, Loose) >= 0;
}
