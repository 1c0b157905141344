namespace Wsis.Teams.Model;

/// <summary>
/// An action line of the WSIS Plan of Action (Geneva 2003, section C). C7 is divided into eight
/// e-application sub-lines; each sub-line, not C7 itself, has its own multi-stakeholder team, as
/// the implementation mechanism (Tunis Agenda, annex) lists them.
/// </summary>
/// <remarks>
/// Codes: <c>C1</c>…<c>C11</c>, and for C7's sub-lines <c>C7.E-GOVERNMENT</c>, <c>C7.E-BUSINESS</c>,
/// <c>C7.E-LEARNING</c>, <c>C7.E-HEALTH</c>, <c>C7.E-EMPLOYMENT</c>, <c>C7.E-ENVIRONMENT</c>,
/// <c>C7.E-AGRICULTURE</c>, <c>C7.E-SCIENCE</c> (the parent code, a dot, the application's name in
/// upper case). Codes are matched without regard to case.
/// </remarks>
public sealed record ActionLine(string Code, string Title, string? ParentCode, int Order)
{
    /// <summary>Whether a team can be created for this line (every line except C7, which is covered by its sub-lines).</summary>
    public bool HasTeam => !Catalogue.Any(l => l.ParentCode == Code);

    public static IReadOnlyList<ActionLine> Catalogue { get; } =
    [
        new("C1", "The role of public governance authorities and all stakeholders in the promotion of ICTs for development", null, 1),
        new("C2", "Information and communication infrastructure", null, 2),
        new("C3", "Access to information and knowledge", null, 3),
        new("C4", "Capacity building", null, 4),
        new("C5", "Building confidence and security in the use of ICTs", null, 5),
        new("C6", "Enabling environment", null, 6),
        new("C7", "ICT applications: benefits in all aspects of life", null, 7),
        new("C7.E-GOVERNMENT", "E-government", "C7", 8),
        new("C7.E-BUSINESS", "E-business", "C7", 9),
        new("C7.E-LEARNING", "E-learning", "C7", 10),
        new("C7.E-HEALTH", "E-health", "C7", 11),
        new("C7.E-EMPLOYMENT", "E-employment", "C7", 12),
        new("C7.E-ENVIRONMENT", "E-environment", "C7", 13),
        new("C7.E-AGRICULTURE", "E-agriculture", "C7", 14),
        new("C7.E-SCIENCE", "E-science", "C7", 15),
        new("C8", "Cultural diversity and identity, linguistic diversity and local content", null, 16),
        new("C9", "Media", null, 17),
        new("C10", "Ethical dimensions of the Information Society", null, 18),
        new("C11", "International and regional cooperation", null, 19),
    ];

    public static ActionLine? Find(string? code) =>
        code is null ? null : Catalogue.FirstOrDefault(l => string.Equals(l.Code, code.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>The line a team can be created for, or a domain error naming <paramref name="field"/>.</summary>
    public static ActionLine ForTeam(string? code, string field = "action_line_code")
    {
        if (string.IsNullOrWhiteSpace(code))
            throw DomainException.InvalidArgument($"{field} is required (one of {string.Join(", ", Catalogue.Where(l => l.HasTeam).Select(l => l.Code))})");
        var line = Find(code)
            ?? throw DomainException.InvalidArgument($"{field} '{Shorten(code)}' is not a WSIS action line (C1 to C11, or a C7 sub-line such as C7.E-HEALTH)");
        if (!line.HasTeam)
            throw DomainException.InvalidArgument($"{field} '{line.Code}' is divided into sub-lines; teams exist for {string.Join(", ", Catalogue.Where(l => l.ParentCode == line.Code).Select(l => l.Code))}");
        return line;
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
