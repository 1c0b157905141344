using NodaTime.Extensions;
using Platform.Domain;
using Wsis.Reporting.Model;
using Xunit;

namespace Wsis.Reporting.Tests;

public class ContributionValidationTests
{
    private readonly StocktakingDataSet data = StocktakingDataSet.Build();
    private static readonly DateTimeOffset BeforeDeadline = new(2025, 10, 1, 0, 0, 0, TimeSpan.Zero);

    private Actor CoordinatorOf(string line) => Refusals.Coordinator(data.CoordinatorOf[line], "sub-1");

    private static EntryDraft GoodEntry() => new(
        "Broadband mapping", "A national map of broadband coverage.", ["C2", "c7.e-government"], ["KE", "BR"], null,
        "https://example.org/mapping", EntryStatus.Ongoing);

    private Contribution Submit(ContributionDraft draft, Actor caller, DateTimeOffset? now = null) =>
        Contribution.Submit(draft, caller, data.Coordination, data.Procedures, (now ?? BeforeDeadline).ToInstant());

    private DomainException Refused(ContributionDraft draft, Actor caller, DateTimeOffset? now = null) =>
        Refusals.Of(() => Submit(draft, caller, now));

    [Fact]
    public void The_designated_coordinator_may_contribute_before_the_deadline()
    {
        Submit(new(data.TeamOf["C2"], 2025, [GoodEntry()]), CoordinatorOf("C2"));
    }

    [Fact]
    public void The_coordinator_of_another_team_is_refused()
    {
        var verdict = Refused(new(data.TeamOf["C2"], 2025, [GoodEntry()]), CoordinatorOf("C3"));
        Assert.Equal(DomainErrorKind.PermissionDenied, verdict.Kind);
        Assert.Contains("designated coordinator", verdict.Message);
    }

    [Fact]
    public void A_coordinator_superseded_by_a_newer_designation_is_refused_and_the_new_one_accepted()
    {
        const string successor = "successor-org";
        data.Coordination.Apply(new CoordinatorDesignation(Guid.NewGuid(), new DateTimeOffset(2025, 2, 1, 0, 0, 0, TimeSpan.Zero).ToInstant(),
            data.TeamOf["C2"], successor, "C2", "UNSG/2025/2"));
        var draft = new ContributionDraft(data.TeamOf["C2"], 2025, [GoodEntry()]);
        Assert.Equal(DomainErrorKind.PermissionDenied, Refused(draft, CoordinatorOf("C2")).Kind);
        Submit(draft, Refusals.Coordinator(successor, "s"));
    }

    [Fact]
    public void A_stakeholder_role_with_the_right_org_is_not_enough()
    {
        var caller = Actor.Create("s", [Role.Stakeholder], data.CoordinatorOf["C2"]);
        Assert.Equal(DomainErrorKind.PermissionDenied, Refused(new(data.TeamOf["C2"], 2025, [GoodEntry()]), caller).Kind);
    }

    [Fact]
    public void A_year_without_procedures_is_a_failed_precondition_naming_the_year()
    {
        var verdict = Refused(new(data.TeamOf["C2"], 2027, [GoodEntry()]), CoordinatorOf("C2"));
        Assert.Equal(DomainErrorKind.FailedPrecondition, verdict.Kind);
        Assert.Contains("no stocktaking procedures for 2027", verdict.Message);
    }

    [Fact]
    public void A_late_contribution_is_a_failed_precondition_naming_the_deadline()
    {
        var late = new DateTimeOffset(2025, 11, 30, 23, 0, 1, TimeSpan.Zero);
        var verdict = Refused(new(data.TeamOf["C2"], 2025, [GoodEntry()]), CoordinatorOf("C2"), late);
        Assert.Equal(DomainErrorKind.FailedPrecondition, verdict.Kind);
        Assert.Contains("2025-11-30T23:00:00Z", verdict.Message);
        // At the deadline itself it is still on time.
        Submit(new(data.TeamOf["C2"], 2025, [GoodEntry()]), CoordinatorOf("C2"), late.AddSeconds(-1));
    }

    [Fact]
    public void Fields_required_by_the_procedures_must_be_present()
    {
        // The data set's procedures require description and country_codes.
        var entry = GoodEntry() with { Description = " ", CountryCodes = [] };
        var problems = Refused(new(data.TeamOf["C2"], 2025, [GoodEntry(), entry]), CoordinatorOf("C2"));
        Assert.Equal(DomainErrorKind.InvalidArgument, problems.Kind);
        Assert.Equal(["entries[1].country_codes", "entries[1].description"], Refusals.Fields(problems).Order());
    }

    [Fact]
    public void Title_action_lines_and_status_are_always_required()
    {
        var entry = new EntryDraft(null, "d", [], ["KE"], null, null, EntryStatus.Unspecified);
        var problems = Refused(new(data.TeamOf["C2"], 2025, [entry]), CoordinatorOf("C2"));
        Assert.Equal(["entries[0].action_line_codes", "entries[0].status", "entries[0].title"], Refusals.Fields(problems).Order());
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
        var problem = Refused(new(data.TeamOf["C2"], 2025, [entry]), CoordinatorOf("C2"));
        Assert.Equal(field, Assert.Single(Refusals.Fields(problem)));
        Assert.Equal(DomainErrorKind.InvalidArgument, problem.Kind);
    }

    [Fact]
    public void A_status_outside_the_enumeration_is_refused()
    {
        var problems = Refused(new(data.TeamOf["C2"], 2025, [GoodEntry() with { Status = (EntryStatus)42 }]), CoordinatorOf("C2"));
        Assert.Equal("entries[0].status", Assert.Single(Refusals.Fields(problems)));
    }

    [Fact]
    public void A_contribution_needs_entries()
    {
        var problems = Refused(new(data.TeamOf["C2"], 2025, []), CoordinatorOf("C2"));
        Assert.Equal("entries", Assert.Single(Refusals.Fields(problems)));
    }

    [Fact]
    public void Permission_is_reported_before_invalid_fields()
    {
        var verdict = Refused(new(data.TeamOf["C2"], 2027, [GoodEntry() with { Title = "" }]), CoordinatorOf("C4"));
        Assert.Equal(DomainErrorKind.PermissionDenied, verdict.Kind);
    }

    [Fact]
    public void Accepted_entries_keep_canonical_codes_and_their_order()
    {
        var draft = new ContributionDraft(data.TeamOf["C7"], 2025, [GoodEntry(), GoodEntry() with { Title = "Second" }]);
        var ids = 0;
        var c = Contribution.Submit(draft, CoordinatorOf("C7"), data.Coordination, data.Procedures, BeforeDeadline.ToInstant(), () => new Guid(++ids, 0, 0, new byte[8]));
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
        Assert.Equal(249, CountryCode.All.Count);
        Assert.True(CountryCode.IsAssigned("CH"));
        Assert.True(CountryCode.IsAssigned("SS"));
        Assert.False(CountryCode.IsAssigned("UK"));
    }
}

public class NationalReportValidationTests
{
    private static readonly NodaTime.Instant Now = new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero).ToInstant();
    private static readonly Actor Kenya = Refusals.MemberState("KE");

    private static NationalReportDraft Draft(string country = "KE", int year = 2025) =>
        new(country, year, "National implementation.", [new NationalActivityDraft("Broadband plan", "", ["C2"])]);

    [Fact]
    public void The_member_state_of_the_country_may_report()
    {
        NationalReport.Submit(Draft(), Kenya, Now, alreadySubmitted: false);
    }

    [Fact]
    public void Another_member_state_or_the_secretariat_may_not()
    {
        var brazil = Refusals.MemberState("BR");
        Assert.Equal(DomainErrorKind.PermissionDenied, Refusals.Of(() => NationalReport.Submit(Draft(), brazil, Now, false)).Kind);
        Assert.Equal(DomainErrorKind.PermissionDenied, Refusals.Of(() => NationalReport.Submit(Draft(), Refusals.Secretariat, Now, false)).Kind);
    }

    [Fact]
    public void A_second_report_for_the_same_year_already_exists()
    {
        Assert.Equal(DomainErrorKind.AlreadyExists, Refusals.Of(() => NationalReport.Submit(Draft(), Kenya, Now, true)).Kind);
    }

    [Fact]
    public void Invalid_fields_are_named()
    {
        var draft = new NationalReportDraft("KE", 1999, "", [new NationalActivityDraft("", null, ["C99"])]);
        var fields = Refusals.Fields(Refusals.Of(() => NationalReport.Submit(draft, Kenya, Now, false))).Order().ToList();
        Assert.Equal(["activities[0].action_line_codes[0]", "activities[0].title", "text", "year"], fields);
        Assert.Equal("country_code", Assert.Single(Refusals.Fields(Refusals.Of(() => NationalReport.Submit(Draft("ZZ"), Kenya, Now, false)))));
    }
}
