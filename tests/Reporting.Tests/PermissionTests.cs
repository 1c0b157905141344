using Wsis.Reporting.Model;
using Xunit;

namespace Wsis.Reporting.Tests;

/// <summary>Who may compile, submit and transmit reports, as decided by the officers read model.</summary>
public class PermissionTests
{
    private readonly StocktakingDataSet data = StocktakingDataSet.Build();

    private static Caller Org(string org, string role = Caller.Coordinator) => new(new HashSet<string> { role }, "s", null, org);

    [Fact]
    public void The_chair_and_vice_chairs_compile_and_submit_other_coordinators_do_not()
    {
        Assert.True(ReportingPermissions.MayCompile(Org(data.Chair), data.Officers));
        Assert.True(ReportingPermissions.MayCompile(Org(data.ViceChair), data.Officers));
        Assert.True(ReportingPermissions.MaySubmitToSecretaryGeneral(Org(data.ViceChair), data.Officers));
        Assert.False(ReportingPermissions.MayCompile(Org(data.CoordinatorOf["C2"]), data.Officers));
        Assert.False(ReportingPermissions.MaySubmitToSecretaryGeneral(Org(data.CoordinatorOf["C2"]), data.Officers));
    }

    [Fact]
    public void The_secretariat_compiles_and_records_transmission_but_does_not_submit()
    {
        var secretariat = Caller.With(Caller.Secretariat);
        Assert.True(ReportingPermissions.MayCompile(secretariat, data.Officers));
        Assert.True(ReportingPermissions.MayRecordTransmission(secretariat));
        Assert.False(ReportingPermissions.MaySubmitToSecretaryGeneral(secretariat, data.Officers));
        Assert.False(ReportingPermissions.MayRecordTransmission(Org(data.Chair)));
    }

    [Fact]
    public void An_org_claim_without_an_organisation_role_does_not_make_an_officer()
    {
        Assert.False(ReportingPermissions.MayCompile(Org(data.Chair, Caller.MemberState), data.Officers));
    }

    [Fact]
    public void After_a_new_election_the_former_chair_loses_the_right_to_compile()
    {
        const string newMeeting = "meeting-2026";
        var newChair = data.CoordinatorOf["C3"];
        data.Officers.Apply(new OfficerElection(Guid.NewGuid(), new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero), newMeeting, newChair, []));
        data.Officers.Apply(new CoordinatorsMeetingConvening(Guid.NewGuid(), new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), newMeeting, new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.False(ReportingPermissions.MayCompile(Org(data.Chair), data.Officers));
        Assert.True(ReportingPermissions.MayCompile(Org(newChair), data.Officers));
    }

    [Fact]
    public void No_officers_known_means_only_the_secretariat_compiles()
    {
        var empty = new OfficerRegister();
        Assert.False(ReportingPermissions.MayCompile(Org(data.Chair), empty));
        Assert.True(ReportingPermissions.MayCompile(Caller.With(Caller.Secretariat), empty));
    }

    [Fact]
    public void Drafts_are_private_to_compilers_submitted_reports_are_public()
    {
        Assert.False(ReportingPermissions.MayRead(Caller.Anonymous, data.Officers, ReportState.Draft));
        Assert.True(ReportingPermissions.MayRead(Caller.Anonymous, data.Officers, ReportState.Submitted));
        Assert.True(ReportingPermissions.MayRead(Org(data.Chair), data.Officers, ReportState.Draft));
    }
}

public class InventorySearchTests
{
    private readonly List<InventoryEntry> entries = StocktakingDataSet.Build().Contributions.SelectMany(c => c.Entries).ToList();

    [Fact]
    public void Filters_by_year_action_line_and_country_together()
    {
        var found = InventorySearch.Filter(entries, new InventoryQuery(2024, "C2", "KE")).ToList();
        var expected = entries.Where(e => e.Year == 2024 && e.ActionLineCodes.Contains("C2") && e.CountryCodes.Contains("KE")).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Select(e => e.EntryId).Order(), found.Select(e => e.EntryId).Order());
    }

    [Fact]
    public void An_action_line_finds_its_sub_lines()
    {
        var found = InventorySearch.Filter(entries, new InventoryQuery(ActionLineCode: "C7")).ToList();
        Assert.NotEmpty(found);
        Assert.All(found, e => Assert.Contains(e.ActionLineCodes, c => c.StartsWith("C7.E-", StringComparison.Ordinal)));
        Assert.Equal(entries.Count(e => e.ActionLineCodes.Any(c => c.StartsWith("C7", StringComparison.Ordinal))), found.Count);
        Assert.DoesNotContain(InventorySearch.Filter(entries, new InventoryQuery(ActionLineCode: "C1")), e => e.ActionLineCodes.Contains("C11") && !e.ActionLineCodes.Contains("C1"));
    }

    [Fact]
    public void Text_matches_every_word_ignoring_case_and_accents()
    {
        var extra = new InventoryEntry { EntryId = Guid.NewGuid(), Year = 2025, Title = "Réseau communautaire", Description = "Accès à l'Internet en zone rurale" };
        var all = entries.Append(extra).ToList();
        Assert.Equal([extra.EntryId], InventorySearch.Filter(all, new InventoryQuery(Text: "reseau RURALE")).Select(e => e.EntryId));
        Assert.Empty(InventorySearch.Filter(all, new InventoryQuery(Text: "reseau maritime")));
    }

    [Fact]
    public void Results_come_newest_year_first_in_submission_order()
    {
        var found = InventorySearch.Filter(entries, new InventoryQuery()).ToList();
        Assert.Equal(entries.Count, found.Count);
        Assert.Equal(found.Select(e => e.Year).OrderDescending(), found.Select(e => e.Year));
    }

    [Fact]
    public void Unknown_filters_are_reported()
    {
        Assert.Equal(2, InventorySearch.Problems(new InventoryQuery(ActionLineCode: "C42", CountryCode: "QQ")).Count);
        Assert.Empty(InventorySearch.Problems(new InventoryQuery(ActionLineCode: "c7.e-health", CountryCode: "ke")));
    }
}
