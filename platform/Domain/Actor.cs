namespace Platform.Domain;

/// <summary>
/// Who asks for a change, as the bearer token says (claims <c>sub</c>, <c>roles</c>, <c>org</c>,
/// <c>country</c>), in the terms a domain model checks its rules with. Rules that depend on stored
/// state (the team's designated coordinator, the meeting's elected officers, the Member State of a
/// country) are checked against it inside the model, so they hold whichever door the request came
/// through. Each service builds it from <c>Platform.Security.Caller</c> at its edge; the models never
/// see tokens or ASP.NET Core. One type for the three services.
/// </summary>
/// <param name="Subject">The token's <c>sub</c>; empty for an anonymous caller.</param>
/// <param name="Organisation">The stakeholder the caller acts for (<c>org</c>), as the token gives it.</param>
/// <param name="Country">The Member State a <c>member-state</c> token speaks for (<c>country</c>), as the token gives it.</param>
/// <param name="Name">The token's display <c>name</c>, for the histories the secretariat reads; no rule depends on it.</param>
public sealed record Actor(string Subject, IReadOnlySet<string> Roles, string? Organisation = null, string? Country = null, string? Name = null)
{
    /// <summary>A caller without a token: no roles, no organisation; it reads what is public.</summary>
    public static Actor Anonymous { get; } = Create("", []);

    public static Actor Create(string subject, IEnumerable<string> roles, string? organisation = null, string? country = null, string? name = null) =>
        new(subject, new HashSet<string>(roles, StringComparer.Ordinal), string.IsNullOrEmpty(organisation) ? null : organisation, string.IsNullOrEmpty(country) ? null : country,
            string.IsNullOrWhiteSpace(name) ? null : name);

    public static Actor Create(string subject, IEnumerable<string> roles, Guid organisation) =>
        Create(subject, roles, organisation.ToString());

    public bool IsSecretariat => Roles.Contains(Role.Secretariat);

    /// <summary>
    /// The stakeholder id the caller acts for. Stakeholder ids are UUIDs, so an <c>org</c> that is
    /// not one names no stakeholder and is held as none.
    /// </summary>
    public Guid? OrganisationId => Guid.TryParse(Organisation, out var id) ? id : null;

    /// <summary>Whether the caller speaks for this organisation: a stakeholder or coordinator token whose <c>org</c> is it.</summary>
    public bool SpeaksFor(Guid stakeholderId) =>
        OrganisationId == stakeholderId && (Roles.Contains(Role.Stakeholder) || Roles.Contains(Role.Coordinator));

    /// <summary>Whether the caller acts as that coordinator organisation: role <c>coordinator</c> with that <c>org</c>.</summary>
    public bool IsCoordinatorOf(Guid stakeholderId) => OrganisationId == stakeholderId && Roles.Contains(Role.Coordinator);

    /// <summary>
    /// The organisation a coordinator token acts for (role <c>coordinator</c> with an <c>org</c>):
    /// team coordinators and the officers of the coordinators' meeting are such organisations.
    /// </summary>
    public string? CoordinatorOrganisation => Roles.Contains(Role.Coordinator) ? Organisation : null;

    /// <summary>The Member State the caller speaks for (role <c>member-state</c> with a valid <c>country</c>), or null.</summary>
    public CountryCode? MemberState =>
        Roles.Contains(Role.MemberState) && CountryCode.TryParse(Country, out var code) ? code : null;

    /// <summary>A Member State token speaking for <paramref name="country"/>.</summary>
    public bool IsMemberStateOf(CountryCode country) => MemberState == country;

    public override string ToString() => Subject;
}
