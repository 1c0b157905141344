using System.Globalization;
using NodaTime.Text;

namespace Wsis.Reporting.Model;

/// <summary>
/// The period a report covers. The API names it by its first and last day, inclusive
/// ("YYYY-MM-DD"); here it is the half-open UTC interval [first day 00:00, day after the last 00:00).
/// </summary>
public sealed record ReportPeriod(Instant Start, Instant End)
{
    public const int MaxYears = 10;

    /// <summary>The period from the API's two days; INVALID_ARGUMENT naming every field that is wrong.</summary>
    public static ReportPeriod Parse(string? firstDay, string? lastDay)
    {
        var errors = new FieldErrors();
        var start = Day(firstDay, "period_start", errors);
        var end = Day(lastDay, "period_end", errors)?.PlusDays(1);
        errors.ThrowIfAny();
        return Of(start!.Value.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant(), end!.Value.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant());
    }

    /// <summary>A period that ends after it starts and spans at most <see cref="MaxYears"/> years.</summary>
    public static ReportPeriod Of(Instant? start, Instant? end)
    {
        var errors = new FieldErrors();
        if (start is null) errors.Add("period_start", "is required");
        if (end is null) errors.Add("period_end", "is required");
        if (start is { } s && end is { } e)
        {
            if (e <= s) errors.Add("period_end", "must not be before period_start");
            else if (e > s.InUtc().LocalDateTime.PlusYears(MaxYears).InUtc().ToInstant())
                errors.Add("period_end", $"is too far from period_start: a report covers at most {MaxYears} years");
        }
        errors.ThrowIfAny();
        return new ReportPeriod(start!.Value, end!.Value);
    }

    /// <summary>
    /// The stocktaking years the period covers: every calendar year that overlaps it. Contributions
    /// and national reports are annual, so they are included by year.
    /// </summary>
    public IReadOnlyList<int> Years => YearsOf(Start, End);

    public static IReadOnlyList<int> YearsOf(Instant start, Instant end)
    {
        var first = start.InUtc().Year;
        var last = (end - Duration.Epsilon).InUtc().Year;
        return Enumerable.Range(first, Math.Max(0, last - first + 1)).ToList();
    }

    /// <summary>The first day, as the API shows it.</summary>
    public string FirstDay => FirstDayOf(Start);

    /// <summary>The last day (inclusive), as the API shows it.</summary>
    public string LastDay => LastDayOf(End);

    public static string FirstDayOf(Instant start) => Times.Date(start);

    public static string LastDayOf(Instant end) => Times.Date(end - Duration.Epsilon);

    private static LocalDate? Day(string? text, string field, FieldErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add(field, "is required");
            return null;
        }
        var parsed = LocalDatePattern.Iso.WithCulture(CultureInfo.InvariantCulture).Parse(text.Trim());
        if (parsed.Success) return parsed.Value;
        errors.Add(field, "must be a date YYYY-MM-DD");
        return null;
    }
}
