namespace Platform.Domain;

/// <summary>The role names a bearer token carries in its <c>roles</c> claim (DESIGN.md, Security); one list for every service.</summary>
public static class Role
{
    public const string Secretariat = "secretariat";
    public const string MemberState = "member-state";
    public const string Coordinator = "coordinator";
    public const string Stakeholder = "stakeholder";

    public static IReadOnlyList<string> All { get; } = [Secretariat, MemberState, Coordinator, Stakeholder];

    public static bool IsKnown(string role) => All.Contains(role, StringComparer.Ordinal);
}
