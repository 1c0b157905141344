using NodaTime;
using NodaTime.Text;

namespace Wsis.Consultations.Model;

/// <summary>Checks of what callers send; each error names the API field and never repeats personal data.</summary>
public static class Input
{
    /// <summary>A required text, kept as written (a consultation's texts are published as their author wrote them).</summary>
    public static string Required(string? value, string field, int max)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw DomainException.InvalidArgument($"{field} is required");
        }

        return value.Length <= max ? value : throw DomainException.InvalidArgument($"{field} is longer than {max} characters");
    }

    public static Guid Id(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw DomainException.InvalidArgument($"{field} is required");
        }

        return Guid.TryParse(value, out var id) ? id : throw DomainException.InvalidArgument($"{field} '{Shorten(value)}' is not a valid id");
    }

    /// <summary>A calendar date, ISO 8601 "YYYY-MM-DD".</summary>
    public static LocalDate Date(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw DomainException.InvalidArgument($"{field} is required (YYYY-MM-DD)");
        }

        var result = LocalDatePattern.Iso.Parse(value.Trim());
        return result.Success ? result.Value : throw DomainException.InvalidArgument($"{field} '{Shorten(value)}' is not a date (YYYY-MM-DD)");
    }

    public static string Shorten(string value) => value.Length <= 60 ? value : value[..60] + "…";
}
