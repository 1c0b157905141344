using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Localization;

namespace Wsis.Gateway.Web;

/// <summary>How the pages show dates, deadlines, amounts and enum names.</summary>
public static class PageFormat
{
    /// <summary>A service-computed Geneva time ("2027-02-28T23:59:59+01:00") in the reader's language, keeping its offset.</summary>
    public static string GenevaTime(string iso)
    {
        return DateTimeOffset.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)
            ? t.ToString("d MMMM yyyy HH:mm", CultureInfo.CurrentCulture) + " (UTC" + t.ToString("zzz", CultureInfo.InvariantCulture) + ")"
            : iso;
    }

    /// <summary>Geneva's time zone (CET/CEST); UTC where the system has no time zone data.</summary>
    private static readonly TimeZoneInfo Geneva = FindGeneva();

    /// <summary>An instant in Geneva time, to the second, in the reader's language, with its offset: "7 December 2026 23:41:05 (UTC+01:00)".</summary>
    public static string GenevaTime(Timestamp? at)
    {
        if (at is null)
        {
            return "";
        }

        var t = TimeZoneInfo.ConvertTime(at.ToDateTimeOffset(), Geneva);
        return t.ToString("d MMMM yyyy HH:mm:ss", CultureInfo.CurrentCulture) + " (UTC" + t.ToString("zzz", CultureInfo.InvariantCulture) + ")";
    }

    private static TimeZoneInfo FindGeneva()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Europe/Zurich");
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return TimeZoneInfo.Utc;
        }
    }

    /// <summary>
    /// A response deadline as a person reads it: "until the end of 7 March 2027, Geneva time (CET)".
    /// The service gives the exclusive end (the first late instant, midnight starting 8 March), which
    /// read as a date would suggest 8 March is still open; the day shown is the last day responses are
    /// accepted, the words those of the service's own errors ("end of 7 March 2027, Geneva time").
    /// A time other than midnight (an older service's 23:59:59) is the last day itself.
    /// </summary>
    public static string Deadline(IStringLocalizer t, string genevaIso)
    {
        if (!DateTimeOffset.TryParse(genevaIso, CultureInfo.InvariantCulture, DateTimeStyles.None, out var end))
        {
            return genevaIso;
        }

        var lastDay = DateOnly.FromDateTime(end.DateTime);
        if (end.TimeOfDay == TimeSpan.Zero)
        {
            lastDay = lastDay.AddDays(-1);
        }

        // Geneva is on CET (UTC+1) in winter and CEST (UTC+2) in summer; the abbreviations are the reader's language's.
        var zone = end.Offset == TimeSpan.FromHours(2) ? t["CEST"].Value
            : end.Offset == TimeSpan.FromHours(1) ? t["CET"].Value
            : "UTC" + end.ToString("zzz", CultureInfo.InvariantCulture);
        return string.Format(CultureInfo.CurrentCulture, t["until the end of {0}, Geneva time ({1})"].Value, Day(lastDay), zone);
    }

    /// <summary>"7 March 2027", "7 mars 2027", "1er mars 2027".</summary>
    public static string Day(DateOnly day)
    {
        var culture = CultureInfo.CurrentCulture;
        var text = day.ToString("d MMMM yyyy", culture);
        return culture.TwoLetterISOLanguageName == "fr" && day.Day == 1 ? "1er" + text[1..] : text;
    }

    /// <summary>An ISO date ("2027-03-31") as <see cref="Day"/>; anything else as given.</summary>
    public static string Day(string isoDate) =>
        DateOnly.TryParseExact(isoDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? Day(d) : isoDate;

    public static string Utc(Timestamp? t) =>
        t is null ? "" : t.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>ISO 8601 for a &lt;time datetime&gt; attribute, which the page script turns into the reader's local time.</summary>
    public static string Iso(Timestamp? t) =>
        t is null ? "" : t.ToDateTimeOffset().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>An amount in minor units with its currency, in the reader's number format ("CHF 120,000.00").</summary>
    public static string Money(Wsis.Teams.V1.Money? m) =>
        m is null ? "" : m.CurrencyCode + " " + (m.AmountMinor / 100m).ToString("N2", CultureInfo.CurrentCulture);

    /// <summary>CIVIL_SOCIETY → "Civil society" (the English label; resources translate it).</summary>
    public static string EnumLabel(System.Enum value)
    {
        var name = value.ToString();
        var words = System.Text.RegularExpressions.Regex.Replace(name, "(?<!^)([A-Z])", " $1").ToLowerInvariant();
        return char.ToUpperInvariant(words[0]) + words[1..];
    }
}
