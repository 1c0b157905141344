using System.Globalization;
using Google.Protobuf.WellKnownTypes;

namespace Wsis.Gateway.Web;

/// <summary>How the pages show dates and enum names.</summary>
public static class PageFormat
{
    /// <summary>A service-computed Geneva time ("2027-02-28T23:59:59+01:00") in the reader's language, keeping its offset.</summary>
    public static string GenevaTime(string iso)
    {
        return DateTimeOffset.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)
            ? t.ToString("d MMMM yyyy HH:mm", CultureInfo.CurrentCulture) + " (UTC" + t.ToString("zzz", CultureInfo.InvariantCulture) + ")"
            : iso;
    }

    public static string Utc(Timestamp? t) =>
        t is null ? "" : t.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>ISO 8601 for a &lt;time datetime&gt; attribute, which the page script turns into the reader's local time.</summary>
    public static string Iso(Timestamp? t) =>
        t is null ? "" : t.ToDateTimeOffset().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>CIVIL_SOCIETY → "Civil society" (the English label; resources translate it).</summary>
    public static string EnumLabel(System.Enum value)
    {
        var name = value.ToString();
        var words = System.Text.RegularExpressions.Regex.Replace(name, "(?<!^)([A-Z])", " $1").ToLowerInvariant();
        return char.ToUpperInvariant(words[0]) + words[1..];
    }
}
