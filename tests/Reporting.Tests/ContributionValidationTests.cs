using Wsis.Reporting.Model;
using Xunit;

namespace Wsis.Reporting.Tests;

public class ContributionValidationTests
{
    private readonly StocktakingDataSet data = StocktakingDataSet.Build();
    private static readonly DateTimeOffset BeforeDeadline = new(2025, 10, 1, 0, 0, 0, TimeSpan.Zero);

    private Caller CoordinatorOf(string line) =>
        new(new HashSet<string> { Caller.Coordinator }, "sub-1", null, data.CoordinatorOf[line]);

    private static EntryDraft GoodEntry() => new(
        "Broadband mapping", "A national map of broadband coverage.", ["C2", "c7.e-government"], ["KE", "BR"], null,
        "https://example.org/mapping", EntryStatus.Ongoing);

    private Problems Validate(ContributionDraft draft, Caller caller, DateTimeOffset? now = null) =>
        ContributionRules.Validate(draft, caller, data.Coordination, data.Procedures, now ?? BeforeDeadline);

    [Fact]
    public void The_designated_coordinator_may_contribute_before_the_deadline()
    {
        var problems = Validate(new(data.TeamOf["C2"], 2025, [GoodEntry()]), CoordinatorOf("C2"));
        Assert.False(problems.Any, string.Join("; ", problems.All));
    }

    [Fact]
    public void The_coordinator_of_another_team_is_refused()
    {
        var verdict = Validate(new(data.TeamOf["C2"], 2025, [GoodEntry()]), CoordinatorOf("C3")).Verdict;
        Assert.Equal(ProblemKind.PermissionDenied, verdict!.Value.Kind);
        Assert.Contains("designated coordinator", verdict.Value.Message);
    }

    [Fact]
    public void A_coordinator_superseded_by_a_newer_designation_is_refused_and_the_new_one_accepted()
    {
        const string successor = "successor-org";
        data.Coordination.Apply(new CoordinatorDesignation(Guid.NewGuid(), new DateTimeOffset(2025, 2, 1, 0, 0, 0, TimeSpan.Zero),
            data.TeamOf["C2"], successor, "C2", "UNSG/2025/2"));
        var draft = new ContributionDraft(data.TeamOf["C2"], 2025, [GoodEntry()]);
        Assert.Equal(ProblemKind.PermissionDenied, Validate(draft, CoordinatorOf("C2")).Verdict!.Value.Kind);
        Assert.False(Validate(draft, new Caller(new HashSet<string> { Caller.Coordinator }, "s", null, successor)).Any);
    }

    [Fact]
    public void A_stakeholder_role_with_the_right_org_is_not_enough()
    {
        var caller = new Caller(new HashSet<string> { Caller.Stakeholder }, "s", null, data.CoordinatorOf["C2"]);
        Assert.Equal(ProblemKind.PermissionDenied, Validate(new(data.TeamOf["C2"], 2025, [GoodEntry()]), caller).Verdict!.Value.Kind);
    }

    [Fact]
    public void A_year_without_procedures_is_a_failed_precondition_naming_the_year()
    {
        var verdict = Validate(new(data.TeamOf["C2"], 2027, [GoodEntry()]), CoordinatorOf("C2")).Verdict!.Value;
        Assert.Equal(ProblemKind.FailedPrecondition, verdict.Kind);
        Assert.Contains("no stocktaking procedures for 2027", verdict.Message);
    }

    [Fact]
    public void A_late_contribution_is_a_failed_precondition_naming_the_deadline()
    {
        var late = new DateTimeOffset(2025, 11, 30, 23, 0, 1, TimeSpan.Zero);
        var verdict = Validate(new(data.TeamOf["C2"], 2025, [GoodEntry()]), CoordinatorOf("C2"), late).Verdict!.Value;
        Assert.Equal(ProblemKind.FailedPrecondition, verdict.Kind);
        Assert.Contains("2025-11-30T23:00:00Z", verdict.Message);
        // At the deadline itself it is still on time.
        Assert.False(Validate(new(data.TeamOf["C2"], 2025, [GoodEntry()]), CoordinatorOf("C2"), late.AddSeconds(-1)).Any);
    }

    [Fact]
    public void Fields_required_by_the_procedures_must_be_present()
    {
        // The data set's procedures require description and country_codes.
        var entry = GoodEntry() with { Description = " ", CountryCodes = [] };
        var problems = Validate(new(data.TeamOf["C2"], 2025, [GoodEntry(), entry]), CoordinatorOf("C2"));
        Assert.Equal(ProblemKind.InvalidArgument, problems.Verdict!.Value.Kind);
        Assert.Equal(["entries[1].country_codes", "entries[1].description"], problems.All.Select(p => p.Field).Order());
    }

    [Fact]
    public void Title_action_lines_and_status_are_always_required()
    {
        var entry = new EntryDraft(null, "d", [], ["KE"], null, null, EntryStatus.Unspecified);
        var problems = Validate(new(data.TeamOf["C2"], 2025, [entry]), CoordinatorOf("C2"));
        Assert.Equal(["entries[0].action_line_codes", "entries[0].status", "entries[0].title"], problems.All.Select(p => p.Field).Order());
    }

    [Theory]
    [InlineData("C12", null, null, "entries[0].action_line_codes[0]")]
    [InlineData("C7.E-MAIL", null, null, "entries[0].action_line_codes[0]")]
    [InlineData("C2", "XK", null, "entries[0].country_codes[0]")]
    [InlineData("C2", "ke", null, "entries[0].country_codes[0]")]
    [InlineData("C2", "KEN", null, "entries[0].country_codes[0]")]
    [InlineData("C2", null, "ftp://example.org/x", "entries[0].url")]
    [InlineData("C2", null, "example.org/x", "entries[0].url")]
    [InlineData("C2", null, "https://exa mple.org", "entries[0].url")]
    [InlineData("C2", null, "javascript:alert(1)", "entries[0].url")]
    public void Each_entry_is_validated_field_by_field(string line, string? country, string? url, string field)
    {
        var entry = GoodEntry() with { ActionLineCodes = [line], CountryCodes = [country ?? "KE"], Url = url ?? "https://example.org" };
        var problems = Validate(new(data.TeamOf["C2"], 2025, [entry]), CoordinatorOf("C2"));
        var problem = Assert.Single(problems.All);
        Assert.Equal(field, problem.Field);
        Assert.Equal(ProblemKind.InvalidArgument, problem.Kind);
    }

    [Fact]
    public void A_status_outside_the_enumeration_is_refused()
    {
        var problems = Validate(new(data.TeamOf["C2"], 2025, [GoodEntry() with { Status = (EntryStatus)42 }]), CoordinatorOf("C2"));
        Assert.Equal("entries[0].status", Assert.Single(problems.All).Field);
    }

    [Fact]
    public void A_contribution_needs_entries()
    {
        var problems = Validate(new(data.TeamOf["C2"], 2025, []), CoordinatorOf("C2"));
        Assert.Equal("entries", Assert.Single(problems.All).Field);
    }

    [Fact]
    public void Permission_is_reported_before_invalid_fields()
    {
        var verdict = Validate(new(data.TeamOf["C2"], 2027, [GoodEntry() with { Title = "" }]), CoordinatorOf("C4")).Verdict!.Value;
        Assert.Equal(ProblemKind.PermissionDenied, verdict.Kind);
    }

    [Fact]
    public void Accepted_entries_keep_canonical_codes_and_their_order()
    {
        var draft = new ContributionDraft(data.TeamOf["C7"], 2025, [GoodEntry(), GoodEntry() with { Title = "Second" }]);
        var ids = 0;
        var c = ContributionRules.Accept(draft, Guid.NewGuid(), data.Coordination.Find(data.TeamOf["C7"])!, BeforeDeadline, () => new Guid(++ids, 0, 0, new byte[8]));
        Assert.Equal("C7", c.ActionLineCode);
        Assert.Equal(data.CoordinatorOf["C7"], c.CoordinatorId);
        Assert.Equal(["C2", "C7.E-GOVERNMENT"], c.Entries[0].ActionLineCodes);
        Assert.Equal(["Broadband mapping", "Second"], c.Entries.Select(e => e.Title));
        Assert.All(c.Entries, e => Assert.Equal(2025, e.Year));
    }

    [Theory]
    [InlineData("title")]
    [InlineData("Title")]
    [InlineData("country_codes")]
    [InlineData("countryCodes")]
    [InlineData("Country-Codes")]
    [InlineData("stakeholderId")]
    public void Field_names_in_procedures_are_normalized(string name)
    {
        Assert.Contains(EntryFields.Normalize(name), EntryFields.Known);
    }

    [Fact]
    public void The_country_code_list_holds_the_assigned_codes()
    {
        Assert.Equal(249, CountryCodes.All.Count);
        Assert.True(CountryCodes.IsAssigned("CH"));
        Assert.True(CountryCodes.IsAssigned("SS"));
        Assert.False(CountryCodes.IsAssigned("UK"));
    }
}

public class NationalReportValidationTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Caller Kenya = new(new HashSet<string> { Caller.MemberState }, "ms-ke", "KE");

    private static NationalReportDraft Draft(string country = "KE", int year = 2025) =>
        new(country, year, "National implementation.", [new NationalActivityDraft("Broadband plan", "", ["C2"])]);

    [Fact]
    public void The_member_state_of_the_country_may_report()
    {
        Assert.False(NationalReportRules.Validate(Draft(), Kenya, Now, alreadySubmitted: false).Any);
    }

    [Fact]
    public void Another_member_state_or_the_secretariat_may_not()
    {
        var brazil = new Caller(new HashSet<string> { Caller.MemberState }, "ms-br", "BR");
        Assert.Equal(ProblemKind.PermissionDenied, NationalReportRules.Validate(Draft(), brazil, Now, false).Verdict!.Value.Kind);
        Assert.Equal(ProblemKind.PermissionDenied, NationalReportRules.Validate(Draft(), Caller.With(Caller.Secretariat), Now, false).Verdict!.Value.Kind);
    }

    [Fact]
    public void A_second_report_for_the_same_year_already_exists()
    {
        Assert.Equal(ProblemKind.AlreadyExists, NationalReportRules.Validate(Draft(), Kenya, Now, true).Verdict!.Value.Kind);
    }

    [Fact]
    public void Invalid_fields_are_named()
    {
        var draft = new NationalReportDraft("KE", 1999, "", [new NationalActivityDraft("", null, ["C99"])]);
        var fields = NationalReportRules.Validate(draft, Kenya, Now, false).All.Select(p => p.Field).Order().ToList();
        Assert.Equal(["activities[0].action_line_codes[0]", "activities[0].title", "text", "year"], fields);
        Assert.Equal("country_code", Assert.Single(NationalReportRules.Validate(Draft("ZZ"), Kenya, Now, false).All).Field);
    }
}
