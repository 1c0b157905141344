using NodaTime;
using NodaTime.Extensions;
using Platform.Domain;
using Wsis.Reporting.Model;
using Xunit;

namespace Wsis.Reporting.Tests;

/// <summary>
/// Teams' decisions reach Reporting a moment after they are taken. What Reporting has not seen yet
/// and knows nothing against is "retry shortly" (UNAVAILABLE with a hint); what it knows to the
/// contrary is a refusal. Either way the message names the rule or the step that is missing.
/// </summary>
public class EventLagRuleTests
{
    private static readonly Instant BeforeDeadline = new DateTimeOffset(2025, 10, 1, 0, 0, 0, TimeSpan.Zero).ToInstant();
    private readonly StocktakingDataSet data = StocktakingDataSet.Build();

    private static EntryDraft Entry() => new("Broadband mapping", "A national map.", ["C2"], ["KE"], null, null, EntryStatus.Ongoing);

    private static void AssertAskedToRetry(DomainException e)
    {
        Assert.Equal(DomainErrorKind.Unavailable, e.Kind);
        Assert.Equal(EventLag.RetryAfter, e.RetryAfter);
        Assert.Contains("retry shortly", e.Message);
    }

    [Fact]
    public void A_coordinator_of_a_team_known_without_a_designation_is_asked_to_retry_and_is_accepted_once_the_designation_arrives()
    {
        var coordination = new CoordinationRegister();
        coordination.Apply(new TeamCreation(Guid.NewGuid(), BeforeDeadline - Duration.FromDays(1), "team-new", "C2"));
        var draft = new ContributionDraft("team-new", 2025, [Entry()]);
        var coordinator = Refusals.Coordinator("org-new");

        var waiting = Refusals.Of(() => Contribution.Submit(draft, coordinator, coordination, data.Procedures, BeforeDeadline));
        AssertAskedToRetry(waiting);
        Assert.Contains("team team-new (C2) has no designated coordinator", waiting.Message);
        Assert.Contains("RecordCoordinatorDesignation", waiting.Message);

        coordination.Apply(new CoordinatorDesignation(Guid.NewGuid(), BeforeDeadline, "team-new", "org-new", "C2", "UNSG/2025/9"));
        var accepted = Contribution.Submit(draft, coordinator, coordination, data.Procedures, BeforeDeadline);
        Assert.Equal("C2", accepted.ActionLineCode);
        Assert.Equal("org-new", accepted.CoordinatorId);
    }

    [Fact]
    public void A_team_Reporting_has_not_heard_of_is_asked_to_retry_and_the_caller_to_check_its_id_if_it_persists()
    {
        var e = Refusals.Of(() => Contribution.Submit(new ContributionDraft("team-unheard-of", 2025, [Entry()]),
            Refusals.Coordinator("org-x"), data.Coordination, data.Procedures, BeforeDeadline));
        AssertAskedToRetry(e);
        Assert.Contains("team-unheard-of", e.Message);
        Assert.Contains("check team_id", e.Message);
    }

    [Fact]
    public void A_designation_of_another_organisation_is_a_refusal_naming_the_designated_coordinator_and_the_callers_organisation()
    {
        var e = Refusals.Of(() => Contribution.Submit(new ContributionDraft(data.TeamOf["C2"], 2025, [Entry()]),
            Refusals.Coordinator(data.CoordinatorOf["C3"]), data.Coordination, data.Procedures, BeforeDeadline));
        Assert.Equal(DomainErrorKind.PermissionDenied, e.Kind);
        Assert.Null(e.RetryAfter);
        Assert.Contains($"coordinated by stakeholder {data.CoordinatorOf["C2"]}", e.Message);
        Assert.Contains($"the token acts for stakeholder {data.CoordinatorOf["C3"]}", e.Message);
    }

    [Fact]
    public void An_officer_elected_at_a_meeting_whose_result_has_not_arrived_is_asked_to_retry_and_compiles_once_it_arrives()
    {
        var newChair = data.CoordinatorOf["C4"];
        var starts = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero).ToInstant();
        data.Officers.Apply(new CoordinatorsMeetingConvening(Guid.NewGuid(), starts - Duration.FromDays(60), "meeting-2026", starts));

        var waiting = Refusals.Of(() => Report.CompilerFor(Refusals.Coordinator(newChair), data.Officers));
        AssertAskedToRetry(waiting);
        Assert.Contains("meeting-2026", waiting.Message);
        // The officers in office keep their rights until the new result arrives.
        Report.CompilerFor(Refusals.Coordinator(data.Chair), data.Officers);

        data.Officers.Apply(new OfficerElection(Guid.NewGuid(), starts + Duration.FromHours(3), "meeting-2026", newChair, []));
        Report.CompilerFor(Refusals.Coordinator(newChair), data.Officers);
        Assert.Equal(DomainErrorKind.PermissionDenied, Refusals.Of(() => Report.CompilerFor(Refusals.Coordinator(data.Chair), data.Officers)).Kind);
    }

    [Fact]
    public void With_every_known_election_result_in_a_coordinator_outside_the_officers_is_refused_and_told_who_they_are()
    {
        var e = Refusals.Of(() => Report.CompilerFor(Refusals.Coordinator(data.CoordinatorOf["C2"]), data.Officers));
        Assert.Equal(DomainErrorKind.PermissionDenied, e.Kind);
        Assert.Contains($"chair {data.Chair}", e.Message);
        Assert.Contains(data.ViceChair, e.Message);
    }

    [Fact]
    public void A_meeting_older_than_the_one_in_office_that_never_elected_anyone_makes_nobody_wait()
    {
        var earlier = StocktakingDataSet.Start.AddMonths(-6).ToInstant();
        data.Officers.Apply(new CoordinatorsMeetingConvening(Guid.NewGuid(), earlier, "meeting-abandoned", earlier));
        Assert.Equal(DomainErrorKind.PermissionDenied,
            Refusals.Of(() => Report.CompilerFor(Refusals.Coordinator(data.CoordinatorOf["C2"]), data.Officers)).Kind);
    }

    [Fact]
    public void A_token_without_a_coordinator_organisation_is_refused_whatever_Reporting_has_seen()
    {
        var stakeholder = Actor.Create("s", [Role.Stakeholder], data.Chair);
        Assert.Equal(DomainErrorKind.PermissionDenied, Refusals.Of(() => Report.CompilerFor(stakeholder, new OfficerRegister())).Kind);
        Assert.Equal(DomainErrorKind.PermissionDenied, Refusals.Of(() => Contribution.Submit(
            new ContributionDraft("team-unheard-of", 2025, [Entry()]), stakeholder, new CoordinationRegister(), data.Procedures, BeforeDeadline)).Kind);
    }

    [Fact]
    public void Procedures_not_yet_seen_for_a_year_of_the_stocktaking_under_way_are_awaited_and_other_years_are_refused()
    {
        // The data set's procedures cover 2023–2026; in March 2028, 2027 to 2029 are under way.
        var now = new DateTimeOffset(2028, 3, 1, 0, 0, 0, TimeSpan.Zero).ToInstant();
        Contribution Submit(int year) => Contribution.Submit(new ContributionDraft(data.TeamOf["C2"], year, [Entry()]),
            Refusals.Coordinator(data.CoordinatorOf["C2"]), data.Coordination, data.Procedures, now);

        foreach (var year in new[] { 2027, 2028, 2029 })
        {
            var waiting = Refusals.Of(() => Submit(year));
            AssertAskedToRetry(waiting);
            Assert.Contains($"no stocktaking procedures for {year}", waiting.Message);
        }
        var never = Refusals.Of(() => Submit(2031));
        Assert.Equal(DomainErrorKind.FailedPrecondition, never.Kind);
        Assert.Contains("SetStocktakingProcedures", never.Message);

        data.Procedures.Apply(new StocktakingProcedureSetting(Guid.NewGuid(), now, "meeting-2028", 2028,
            new DateTimeOffset(2028, 11, 30, 0, 0, 0, TimeSpan.Zero).ToInstant(), ["description"]));
        Assert.Equal(2028, Submit(2028).Year);
    }

    [Fact]
    public void A_refused_state_change_names_the_report_states_as_the_api_does()
    {
        var report = Report.Draft(Guid.NewGuid(), ReportCompiler.Compile(data.Sources,
            new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).ToInstant(), new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToInstant(), BeforeDeadline), "chair");
        var notSubmitted = Refusals.Of(() => report.RecordTransmission("A/81/1", Refusals.Secretariat, BeforeDeadline));
        Assert.Contains("is DRAFT", notSubmitted.Message);
        Assert.Contains("only a SUBMITTED report", notSubmitted.Message);

        report.Submit(Refusals.Coordinator(data.Chair), data.Officers, BeforeDeadline);
        Assert.Contains("is SUBMITTED: only a DRAFT report", Refusals.Of(() => report.Submit(Refusals.Coordinator(data.Chair), data.Officers, BeforeDeadline)).Message);

        report.RecordTransmission("A/81/1", Refusals.Secretariat, BeforeDeadline);
        var twice = Refusals.Of(() => report.RecordTransmission("A/81/2", Refusals.Secretariat, BeforeDeadline));
        Assert.Contains("is TRANSMITTED", twice.Message);
        Assert.DoesNotContain("TransmittedToGeneralAssembly", twice.Message);
    }

    [Fact]
    public void Contributions_entries_national_reports_and_reports_get_time_ordered_uuid_v7_ids()
    {
        var contribution = Contribution.Submit(new ContributionDraft(data.TeamOf["C2"], 2025, [Entry(), Entry()]),
            Refusals.Coordinator(data.CoordinatorOf["C2"]), data.Coordination, data.Procedures, BeforeDeadline);
        var national = NationalReport.Submit(new NationalReportDraft("KE", 2025, "Text.", []), Refusals.MemberState("KE"), BeforeDeadline, false);
        var report = Report.CompilerFor(Refusals.Secretariat, data.Officers)
            .Compile(ReportPeriod.Parse("2025-01-01", "2025-12-31"), data.Sources, BeforeDeadline);

        var ids = new[] { contribution.ContributionId, national.NationalReportId, report.ReportId }.Concat(contribution.Entries.Select(e => e.EntryId));
        Assert.All(ids, id => Assert.Equal(7, id.Version));
        // The first 48 bits are the creation time in milliseconds.
        var millis = Convert.ToInt64(contribution.ContributionId.ToString("N")[..12], 16);
        Assert.Equal(BeforeDeadline.ToUnixTimeMilliseconds(), millis);
    }

    [Fact]
    public void A_member_state_may_write_its_country_code_in_lower_case_and_it_is_stored_in_upper_case()
    {
        var report = NationalReport.Submit(new NationalReportDraft(" ke ", 2025, "Text.", []), Refusals.MemberState("KE"), BeforeDeadline, false);
        Assert.Equal("KE", report.CountryCode);
    }
}
