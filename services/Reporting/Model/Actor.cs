namespace Wsis.Reporting.Model;

/// <summary>
/// Who asks, as the bearer token says (claims <c>sub</c>, <c>roles</c>, <c>org</c>, <c>country</c>).
/// The rules that depend on what Reporting knows — the team's designated coordinator, the officers
/// of the coordinators' meeting, the Member State of a country — are checked against it in the
/// model, so they hold whichever door the request came through.
/// </summary>
public sealed record Actor(string Subject, IReadOnlySet<string> Roles, string? Organisation = null, string? Country = null)
{
    /// <summary>A caller without a token: it reads what is public.</summary>
    public static Actor Anonymous { get; } = new("", new HashSet<string>());

    public static Actor Create(string subject, IEnumerable<string> roles, string? organisation = null, string? country = null) =>
        new(subject, new HashSet<string>(roles, StringComparer.Ordinal), organisation, country);

    public bool IsSecretariat => Roles.Contains(Role.Secretariat);

    /// <summary>
    /// The organisation a coordinator token acts for (role <c>coordinator</c> with an <c>org</c>):
    /// team coordinators and the officers of the coordinators' meeting are such organisations.
    /// </summary>
    public string? CoordinatorOrganisation =>
        Roles.Contains(Role.Coordinator) && !string.IsNullOrEmpty(Organisation) ? Organisation : null;

    /// <summary>A Member State token speaking for <paramref name="country"/> (role <c>member-state</c>, claim <c>country</c>).</summary>
    public bool IsMemberStateOf(CountryCode country) =>
        Roles.Contains(Role.MemberState) && string.Equals(Country, country.Value, StringComparison.OrdinalIgnoreCase);

    public override string ToString() => Subject;
}
