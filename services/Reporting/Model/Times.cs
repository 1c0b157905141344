using NodaTime.Text;

namespace Wsis.Reporting.Model;

/// <summary>How instants and days read in messages and reports: UTC, ISO 8601.</summary>
public static class Times
{
    private static readonly InstantPattern Seconds = InstantPattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'ss'Z'");
    private static readonly InstantPattern Minutes = InstantPattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd' 'HH':'mm' UTC'");
    private static readonly LocalDatePattern Day = LocalDatePattern.Iso;

    /// <summary>"2025-11-30T23:00:00Z".</summary>
    public static string Utc(Instant t) => Seconds.Format(t);

    /// <summary>"2025-11-30 23:00 UTC", as reports show times.</summary>
    public static string ReportTime(Instant t) => Minutes.Format(t);

    /// <summary>"2025-11-30", the UTC day of an instant.</summary>
    public static string Date(Instant t) => Day.Format(t.InUtc().Date);
}
