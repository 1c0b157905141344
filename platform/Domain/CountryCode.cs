using System.Diagnostics.CodeAnalysis;

namespace Platform.Domain;

/// <summary>
/// An ISO 3166-1 alpha-2 country code that ISO has officially assigned, upper case: the one rule for
/// every service (a stakeholder's country, a Member State's, a respondent's, a report's). Held as
/// data rather than taken from <see cref="System.Globalization.RegionInfo"/>, which also accepts
/// culture names and UN M49 numbers and depends on the machine's ICU build.
/// </summary>
public readonly record struct CountryCode
{
    private const string Assigned =
        "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ " +
        "BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
        "CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ " +
        "DE DJ DK DM DO DZ " +
        "EC EE EG EH ER ES ET " +
        "FI FJ FK FM FO FR " +
        "GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY " +
        "HK HM HN HR HT HU " +
        "ID IE IL IM IN IO IQ IR IS IT " +
        "JE JM JO JP " +
        "KE KG KH KI KM KN KP KR KW KY KZ " +
        "LA LB LC LI LK LR LS LT LU LV LY " +
        "MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ " +
        "NA NC NE NF NG NI NL NO NP NR NU NZ " +
        "OM " +
        "PA PE PF PG PH PK PL PM PN PR PS PT PW PY " +
        "QA " +
        "RE RO RS RU RW " +
        "SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ " +
        "TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ " +
        "UA UG UM US UY UZ " +
        "VA VC VE VG VI VN VU " +
        "WF WS " +
        "YE YT " +
        "ZA ZM ZW";

    /// <summary>Every officially assigned code.</summary>
    public static IReadOnlySet<string> All { get; } =
        new HashSet<string>(Assigned.Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);

    private CountryCode(string value) => Value = value;

    public string Value { get; }

    /// <summary>Whether <paramref name="text"/> is an assigned code once trimmed and upper-cased ("ch" reads as CH; "XK", "UK" and "CHE" do not).</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out CountryCode? code)
    {
        var candidate = text?.Trim().ToUpperInvariant();
        code = candidate is { Length: 2 } && All.Contains(candidate) ? new CountryCode(candidate) : null;
        return code is not null;
    }

    /// <summary>The code, or <see cref="DomainException"/> (INVALID_ARGUMENT) naming the field.</summary>
    public static CountryCode Parse(string? text, string field = "country_code") =>
        TryParse(text, out var code)
            ? code.Value
            : throw DomainException.InvalidArgument(string.IsNullOrWhiteSpace(text)
                ? $"{field} is required: an ISO 3166-1 alpha-2 country code such as CH"
                : $"{field} '{Shorten(text)}' is not an ISO 3166-1 alpha-2 country code (two letters such as CH, FR, KE)");

    public static bool IsAssigned(string? text) => TryParse(text, out _);

    public override string ToString() => Value;

    public static implicit operator string(CountryCode code) => code.Value;

    private static string Shorten(string text) => text.Length <= 16 ? text : text[..16] + "…";
}
