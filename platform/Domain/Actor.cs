namespace Platform.Domain;

/// <summary>
/// Who asks for a change, as the bearer token says (claims <c>sub</c>, <c>roles</c>, <c>org</c>), in
/// the terms a domain model checks its rules with. Rules that depend on stored state (the team's
/// designated coordinator, the meeting's elected chair) are checked against it inside the model, so
/// they hold whichever door the request came through. The service builds it from
/// <c>Platform.Security.Caller</c> at its edge; the model never sees tokens or ASP.NET Core.
/// </summary>
/// <param name="Subject">The token's <c>sub</c>; empty for an anonymous caller.</param>
/// <param name="Organisation">
/// The stakeholder the caller acts for (<c>org</c>). Stakeholder ids are UUIDs, so a claim that is
/// not one names no stakeholder and is held as none.
/// </param>
public sealed record Actor(string Subject, IReadOnlySet<string> Roles, Guid? Organisation)
{
    /// <summary>A caller without a token: no roles, no organisation.</summary>
    public static Actor Anonymous { get; } = Create("", []);

    public static Actor Create(string subject, IEnumerable<string> roles, Guid? organisation = null) =>
        new(subject, new HashSet<string>(roles, StringComparer.Ordinal), organisation);

    public bool IsSecretariat => Roles.Contains(Role.Secretariat);

    /// <summary>Whether the caller speaks for this organisation: a stakeholder or coordinator token whose <c>org</c> is it.</summary>
    public bool SpeaksFor(Guid stakeholderId) =>
        Organisation == stakeholderId && (Roles.Contains(Role.Stakeholder) || Roles.Contains(Role.Coordinator));

    /// <summary>Whether the caller acts as that coordinator organisation: role <c>coordinator</c> with that <c>org</c>.</summary>
    public bool IsCoordinatorOf(Guid stakeholderId) => Organisation == stakeholderId && Roles.Contains(Role.Coordinator);

    public override string ToString() => Subject;
}
