using Platform.Domain;

namespace Platform.Security;

/// <summary>The claim names every service reads from a bearer token (DESIGN.md, Security).</summary>
public static class CallerClaims
{
    public const string Subject = "sub";
    public const string Name = "name";
    public const string Roles = "roles";

    /// <summary>ISO 3166-1 alpha-2 code of the Member State, for <see cref="Role.MemberState"/>.</summary>
    public const string Country = "country";

    /// <summary>The stakeholder id, for <see cref="Role.Coordinator"/> and <see cref="Role.Stakeholder"/>.</summary>
    public const string Org = "org";
}
