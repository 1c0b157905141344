namespace Workspace.Tests;

/// <summary>Dates for tests against the host's real clock, derived from today so they hold in any year:
/// the group's rules count in Geneva days (a deadline is the end of a Geneva day).</summary>
public static class WorkspaceClock
{
    private static readonly TimeZoneInfo Geneva = TimeZoneInfo.FindSystemTimeZoneById("Europe/Zurich");

    public static DateOnly GenevaToday => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Geneva).DateTime);

    /// <summary>The stocktaking year under way.</summary>
    public static int Year => GenevaToday.Year;

    public static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
