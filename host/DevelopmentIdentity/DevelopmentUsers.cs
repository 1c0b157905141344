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
    public const string Unesco = "United Nations Educational, Scientific and Cultural Organization";
    public const string Network = "Community Networks Alliance (demonstration)";

    public static IReadOnlyList<DevelopmentUser> All { get; } =
    [
        new("dev-secretariat", "Ana Secretariat", Role.Secretariat, Description: "ITU secretariat: opens consultations, records designations, examines results"),
        new("dev-member-state-ch", "Bruno Focal Point (Switzerland)", Role.MemberState, Country: "CH", Description: "Member State of CWG-Internet"),
        new("dev-member-state-ke", "Wanjiru Focal Point (Kenya)", Role.MemberState, Country: "KE", Description: "Member State of CWG-Internet"),
        new("dev-coordinator", "Chen Coordinator (ITU)", Role.Coordinator, OrganisationName: Itu,
            Description: "designated coordinator of the C2 team: modalities, team meetings, contributions, votes in the coordinators' meeting"),
        // The demonstration data elects UNESCO chair of the coordinators' meeting (host/DemoData.cs).
        new("dev-chair", "Dana Chair (UNESCO)", Role.Coordinator, OrganisationName: Unesco,
            Description: "designated coordinator of the C3 team and elected chair of the coordinators' meeting: sets its framework and procedures, compiles and submits reports"),
        new("dev-stakeholder", "Eli Stakeholder (Community Networks Alliance)", Role.Stakeholder, OrganisationName: Network, Description: "a stakeholder organisation"),
    ];

    public static DevelopmentUser? Find(string? subject) => All.FirstOrDefault(u => string.Equals(u.Subject, subject, StringComparison.Ordinal));
}
