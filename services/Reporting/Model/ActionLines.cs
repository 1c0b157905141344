namespace Wsis.Reporting.Model;

/// <summary>One action line of the WSIS Plan of Action (C1–C11, and the e-application sub-lines of C7).</summary>
public sealed record ActionLine(string Code, string Title, string? ParentCode)
{
    public bool IsSubLine => ParentCode is not null;

    /// <summary>The top-level line a report section is built around (C7 for every C7 sub-line).</summary>
    public string SectionCode => ParentCode ?? Code;
}

/// <summary>
/// The catalogue of action lines. Teams seeds the same codes; Reporting keeps its own copy so that
/// validating an entry never needs a synchronous call to another service.
/// </summary>
public static class ActionLines
{
    public static IReadOnlyList<ActionLine> All { get; } =
    [
        new("C1", "The role of public governance authorities and all stakeholders in the promotion of ICTs for development", null),
        new("C2", "Information and communication infrastructure", null),
        new("C3", "Access to information and knowledge", null),
        new("C4", "Capacity building", null),
        new("C5", "Building confidence and security in the use of ICTs", null),
        new("C6", "Enabling environment", null),
        new("C7", "ICT applications: benefits in all aspects of life", null),
        new("C7.E-GOVERNMENT", "E-government", "C7"),
        new("C7.E-BUSINESS", "E-business", "C7"),
        new("C7.E-LEARNING", "E-learning", "C7"),
        new("C7.E-HEALTH", "E-health", "C7"),
        new("C7.E-EMPLOYMENT", "E-employment", "C7"),
        new("C7.E-ENVIRONMENT", "E-environment", "C7"),
        new("C7.E-AGRICULTURE", "E-agriculture", "C7"),
        new("C7.E-SCIENCE", "E-science", "C7"),
        new("C8", "Cultural diversity and identity, linguistic diversity and local content", null),
        new("C9", "Media", null),
        new("C10", "Ethical dimensions of the Information Society", null),
        new("C11", "International and regional cooperation", null),
    ];

    /// <summary>The eleven top-level lines, in the order of the Plan of Action.</summary>
    public static IReadOnlyList<ActionLine> TopLevel { get; } = All.Where(l => !l.IsSubLine).ToArray();

    private static readonly Dictionary<string, ActionLine> ByCode =
        All.ToDictionary(l => l.Code, StringComparer.OrdinalIgnoreCase);

    public static bool TryFind(string? code, out ActionLine line)
    {
        if (code is not null && ByCode.TryGetValue(code.Trim(), out var found))
        {
            line = found;
            return true;
        }
        line = null!;
        return false;
    }

    public static bool IsKnown(string? code) => TryFind(code, out _);

    /// <summary>The canonical spelling of a known code ("c7.e-health" → "C7.E-HEALTH"), or the input trimmed when unknown.</summary>
    public static string Normalize(string code) => TryFind(code, out var line) ? line.Code : code.Trim();

    /// <summary>Whether <paramref name="code"/> is <paramref name="lineOrParent"/> itself or one of its sub-lines.</summary>
    public static bool IsWithin(string code, string lineOrParent)
    {
        if (!TryFind(code, out var line)) return false;
        var target = Normalize(lineOrParent);
        return line.Code == target || line.ParentCode == target;
    }

    /// <summary>Position in the Plan of Action, so sections and figures sort C1, C2, …, C10, C11 (not C1, C10, C11, C2).</summary>
    public static int OrderOf(string code)
    {
        for (var i = 0; i < All.Count; i++)
            if (string.Equals(All[i].Code, code, StringComparison.OrdinalIgnoreCase)) return i;
        return int.MaxValue;
    }
}
