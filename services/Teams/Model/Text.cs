using System.Text.RegularExpressions;

namespace Wsis.Teams.Model;

/// <summary>Input checks shared by the domain classes; each error names the API field.</summary>
public static partial class Text
{
    public const int NameMax = 300;
    public const int ReferenceMax = 500;
    public const int LongTextMax = 100_000;

    public static string Required(string? value, string field, int max = NameMax)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw DomainException.InvalidArgument($"{field} is required");
        var trimmed = value.Trim();
        if (trimmed.Length > max)
            throw DomainException.InvalidArgument($"{field} is longer than {max} characters");
        if (trimmed.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
            throw DomainException.InvalidArgument($"{field} contains control characters");
        return trimmed;
    }

    public static string? Optional(string? value, string field, int max = NameMax) =>
        string.IsNullOrWhiteSpace(value) ? null : Required(value, field, max);

    public static string Email(string? value, string field = "contact_email")
    {
        var email = Required(value, field, 254);
        if (!EmailShape().IsMatch(email))
            throw DomainException.InvalidArgument($"{field} is not an e-mail address");
        return email;
    }

    public static Guid Id(Guid value, string field)
    {
        if (value == Guid.Empty)
            throw DomainException.InvalidArgument($"{field} is required");
        return value;
    }

    public static Guid Id(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw DomainException.InvalidArgument($"{field} is required");
        if (!Guid.TryParse(value.Trim(), out var id) || id == Guid.Empty)
            throw DomainException.InvalidArgument($"{field} is not a valid id");
        return id;
    }

    // Deliberately loose: one @, something on each side, a dot in the domain, no spaces.
    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailShape();
}
