namespace Wsis.Teams.Model;

/// <summary>
/// Who asks for a change, as the bearer token says (claims <c>sub</c>, <c>roles</c>, <c>org</c>).
/// Domain rules that depend on stored state (the designated coordinator, the elected chair) are
/// checked against it here, so they hold whichever door the request came through.
/// </summary>
public sealed record Actor(string Subject, IReadOnlySet<string> Roles, Guid? Organisation)
{
    public const string Secretariat = "secretariat";
    public const string MemberState = "member-state";
    public const string Coordinator = "coordinator";
    public const string StakeholderRole = "stakeholder";

    public static Actor Create(string subject, IEnumerable<string> roles, Guid? organisation = null) =>
        new(subject, new HashSet<string>(roles, StringComparer.Ordinal), organisation);

    public bool IsSecretariat => Roles.Contains(Secretariat);

    /// <summary>Whether the caller speaks for this organisation (a stakeholder or coordinator token whose <c>org</c> is it).</summary>
    public bool SpeaksFor(Guid stakeholderId) =>
        Organisation == stakeholderId && (Roles.Contains(StakeholderRole) || Roles.Contains(Coordinator));

    /// <summary>Whether the caller is the coordinator organisation given (role <c>coordinator</c> with that <c>org</c>).</summary>
    public bool IsCoordinatorOf(Guid stakeholderId) => Organisation == stakeholderId && Roles.Contains(Coordinator);

    public override string ToString() => Subject;
}
