using NodaTime.Extensions;
using Platform.Domain;
using Wsis.Reporting.Model;
using Xunit;

namespace Wsis.Reporting.Tests;

/// <summary>Who may compile, submit and transmit reports, as decided by the officers read model.</summary>
public class PermissionTests
{
    private readonly StocktakingDataSet data = StocktakingDataSet.Build();

    private static Actor Org(string org, string role = Role.Coordinator) => Actor.Create("s", [role], org);

    private bool MayCompile(Actor actor, OfficerRegister officers) => Allowed(() => Report.CompilerFor(actor, officers));

    private bool MaySubmitToSecretaryGeneral(Actor actor, OfficerRegister officers) => Allowed(() => Draft().Submit(actor, officers, Now));

    private bool MayRecordTransmission(Actor actor)
    {
        var report = Draft();
        report.Submit(Org(data.Chair), data.Officers, Now);
        return Allowed(() => report.RecordTransmission("A/81/100", actor, Now));
    }

    private bool MayRead(Actor actor, OfficerRegister officers, ReportState state)
    {
        var report = Draft();
        if (state == ReportState.Submitted) report.Submit(Org(data.Chair), data.Officers, Now);
        return Allowed(() => report.RequireReadableBy(actor, officers));
    }

    private static readonly NodaTime.Instant Now = new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero).ToInstant();

    private Report Draft() => Report.Draft(Guid.NewGuid(),
        ReportCompiler.Compile(data.Sources, new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).ToInstant(), new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToInstant(), Now), "chair");

    /// <summary>Whether the rule lets the call through; a refusal of any kind (PERMISSION_DENIED, or UNAVAILABLE while an election may be on its way) is "no".</summary>
    private static bool Allowed(Action act)
    {
        try
        {
            act();
            return true;
        }
        catch (DomainException e) when (e.Kind is DomainErrorKind.PermissionDenied or DomainErrorKind.Unavailable)
        {
            return false;
        }
    }

    [Fact]
    public void The_chair_and_vice_chairs_compile_and_submit_other_coordinators_do_not()
    {
        Assert.True(MayCompile(Org(data.Chair), data.Officers));
        Assert.True(MayCompile(Org(data.ViceChair), data.Officers));
        Assert.True(MaySubmitToSecretaryGeneral(Org(data.ViceChair), data.Officers));
        Assert.False(MayCompile(Org(data.CoordinatorOf["C2"]), data.Officers));
        Assert.False(MaySubmitToSecretaryGeneral(Org(data.CoordinatorOf["C2"]), data.Officers));
    }

    [Fact]
    public void The_secretariat_compiles_and_records_transmission_but_does_not_submit()
    {
        var secretariat = Refusals.Secretariat;
        Assert.True(MayCompile(secretariat, data.Officers));
        Assert.True(MayRecordTransmission(secretariat));
        Assert.False(MaySubmitToSecretaryGeneral(secretariat, data.Officers));
        Assert.False(MayRecordTransmission(Org(data.Chair)));
    }

    [Fact]
    public void An_org_claim_without_an_organisation_role_does_not_make_an_officer()
    {
        Assert.False(MayCompile(Org(data.Chair, Role.MemberState), data.Officers));
    }

    [Fact]
    public void After_a_new_election_the_former_chair_loses_the_right_to_compile()
    {
        const string newMeeting = "meeting-2026";
        var newChair = data.CoordinatorOf["C3"];
        data.Officers.Apply(new OfficerElection(Guid.NewGuid(), new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero).ToInstant(), newMeeting, newChair, []));
        data.Officers.Apply(new CoordinatorsMeetingConvening(Guid.NewGuid(), new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToInstant(), newMeeting, new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero).ToInstant()));
        Assert.False(MayCompile(Org(data.Chair), data.Officers));
        Assert.True(MayCompile(Org(newChair), data.Officers));
    }

    [Fact]
    public void No_officers_known_means_only_the_secretariat_compiles()
    {
        var empty = new OfficerRegister();
        Assert.False(MayCompile(Org(data.Chair), empty));
        Assert.True(MayCompile(Refusals.Secretariat, empty));
    }

    [Fact]
    public void Drafts_are_private_to_compilers_submitted_reports_are_public()
    {
        Assert.False(MayRead(Actor.Anonymous, data.Officers, ReportState.Draft));
        Assert.True(MayRead(Actor.Anonymous, data.Officers, ReportState.Submitted));
        Assert.True(MayRead(Org(data.Chair), data.Officers, ReportState.Draft));
    }
}

public class InventorySearchTests
{
    private readonly List<InventoryEntry> entries = StocktakingDataSet.Build().Contributions.SelectMany(c => c.Entries).ToList();

    private static InventoryEntry Entry(int year, string title, string description) =>
        new(Guid.NewGuid(), Guid.NewGuid(), "team", year, 0, title, description, [], [], null, null, EntryStatus.Ongoing,
            new DateTimeOffset(year, 6, 1, 0, 0, 0, TimeSpan.Zero).ToInstant());

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
        var extra = Entry(2025, "Réseau communautaire", "Accès à l'Internet en zone rurale");
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
        Assert.Equal(2, Refusals.Fields(Refusals.Of(() => InventorySearch.Check(new InventoryQuery(ActionLineCode: "C42", CountryCode: "QQ")))).Count);
        InventorySearch.Check(new InventoryQuery(ActionLineCode: "c7.e-health", CountryCode: "ke"));
    }
}
