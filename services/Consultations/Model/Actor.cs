namespace Wsis.Consultations.Model;

/// <summary>
/// Who asks for a change, as the bearer token says (claims <c>sub</c>, <c>roles</c>, <c>country</c>).
/// The model checks against it the rules of the texts about who may act.
/// </summary>
public sealed record Actor(string Subject, IReadOnlySet<string> Roles, string? Country)
{
    public static Actor Create(string subject, IEnumerable<string> roles, string? country = null) =>
        new(subject, new HashSet<string>(roles, StringComparer.Ordinal), country);

    public bool IsSecretariat => Roles.Contains(Role.Secretariat);

    /// <summary>The Member State the caller speaks for (role member-state with a country), or null.</summary>
    public CountryCode? MemberState =>
        Roles.Contains(Role.MemberState) && CountryCode.TryParse(Country, out var code) ? code : null;
}
