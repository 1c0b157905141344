using Platform.Domain;

namespace Wsis.Host.DevelopmentIdentity;

/// <summary>
/// A person of the development identity provider. An organisation is named, not given by id: the
/// stakeholder's id is looked up in Teams when the person signs in (the demonstration data registers
/// them), so the <c>org</c> claim names a stakeholder that exists.
/// </summary>
public sealed record DevelopmentUser(string Subject, string Name, string Role, string? Country = null, string? OrganisationName = null, string Description = "");

/// <summary>One person per role the texts know, each with what makes the role real in the demonstration data.</summary>
public static class DevelopmentUsers
{
    public const string Itu = "International Telecommunication Union";
    public const string Institute = "Open Standards Institute (demonstration)";
    public const string Network = "Community Networks Alliance (demonstration)";

    public static IReadOnlyList<DevelopmentUser> All { get; } =
    [
        new("dev-secretariat", "Ana Secretariat", Role.Secretariat, Description: "ITU secretariat: opens consultations, records designations, examines results"),
        new("dev-member-state-ch", "Bruno Focal Point (Switzerland)", Role.MemberState, Country: "CH", Description: "Member State of CWG-Internet"),
        new("dev-member-state-ke", "Wanjiru Focal Point (Kenya)", Role.MemberState, Country: "KE", Description: "Member State of CWG-Internet"),
        new("dev-coordinator", "Chen Coordinator (ITU)", Role.Coordinator, OrganisationName: Itu, Description: "designated coordinator of the C2 team"),
        new("dev-chair", "Dana Chair (Open Standards Institute)", Role.Coordinator, OrganisationName: Institute, Description: "a coordinator organisation: votes in the coordinators' meeting once designated, compiles reports once elected"),
        new("dev-stakeholder", "Eli Stakeholder (Community Networks Alliance)", Role.Stakeholder, OrganisationName: Network, Description: "a stakeholder organisation"),
    ];

    public static DevelopmentUser? Find(string? subject) => All.FirstOrDefault(u => string.Equals(u.Subject, subject, StringComparison.Ordinal));
}
