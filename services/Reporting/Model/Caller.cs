namespace Wsis.Reporting.Model;

/// <summary>Who is calling, as the bearer token says (roles, and the country or organisation they act for).</summary>
public sealed record Caller(IReadOnlySet<string> Roles, string? Subject = null, string? Country = null, string? Organisation = null)
{
    public const string Secretariat = "secretariat";
    public const string MemberState = "member-state";
    public const string Coordinator = "coordinator";
    public const string Stakeholder = "stakeholder";

    public static Caller Anonymous { get; } = new(new HashSet<string>());

    public bool IsAuthenticated => Subject is not null || Roles.Count > 0;
    public bool Has(string role) => Roles.Contains(role);
    public bool IsSecretariat => Has(Secretariat);

    /// <summary>The organisation the caller acts for when it holds an organisation role.</summary>
    public string? ActingOrganisation => (Has(Coordinator) || Has(Stakeholder)) && !string.IsNullOrEmpty(Organisation) ? Organisation : null;

    public static Caller With(params string[] roles) => new(new HashSet<string>(roles, StringComparer.Ordinal), "test");
}

/// <summary>The permission rules that depend on Reporting's read models.</summary>
public static class ReportingPermissions
{
    /// <summary>The chair or a vice-chair of the coordinators' meeting, or the secretariat.</summary>
    public static bool MayCompile(Caller caller, OfficerRegister officers) =>
        caller.IsSecretariat || IsOfficer(caller, officers);

    /// <summary>Only the chair or a vice-chair reports to the UN Secretary-General.</summary>
    public static bool MaySubmitToSecretaryGeneral(Caller caller, OfficerRegister officers) => IsOfficer(caller, officers);

    public static bool MayRecordTransmission(Caller caller) => caller.IsSecretariat;

    /// <summary>Drafts are read by those who may compile them; submitted reports are public.</summary>
    public static bool MayRead(Caller caller, OfficerRegister officers, ReportState state) =>
        state != ReportState.Draft || MayCompile(caller, officers);

    public static bool MaySubmitContribution(Caller caller, CoordinationRegister coordination, string teamId) =>
        caller.Has(Caller.Coordinator) && caller.Organisation is { Length: > 0 } org && coordination.IsDesignatedCoordinator(teamId, org);

    public static bool MaySubmitNationalReport(Caller caller, string countryCode) =>
        caller.Has(Caller.MemberState) && caller.Country is { } c && string.Equals(c, countryCode, StringComparison.OrdinalIgnoreCase);

    private static bool IsOfficer(Caller caller, OfficerRegister officers) =>
        caller.ActingOrganisation is { } org && officers.IsOfficer(org);
}
