using NodaTime;
using Wsis.Teams.Model;

namespace Wsis.Teams.Tests.Model;

public class CoordinatorsMeetingTests
{
    private static readonly (Funder, Money)[] BothFund =
        [(Funder.Itu, Money.Of(5_000_000, "CHF", "funding[0]")), (Funder.Unesco, Money.Of(4_500_000, "usd", "funding[1]"))];

    // Five coordinated teams: A..E are the designated coordinators.
    private readonly Stakeholder[] _coordinators;
    private readonly Team[] _teams;
    private readonly Electorate _electorate;

    public CoordinatorsMeetingTests()
    {
        _coordinators = new[] { "A", "B", "C", "D", "E" }.Select(n => Given.Stakeholder(n, country: "CH")).ToArray();
        string[] codes = ["C1", "C2", "C3", "C4", "C5"];
        _teams = _coordinators.Select((c, i) => Given.TeamCoordinatedBy(c, codes[i])).ToArray();
        _electorate = Electorate.Of(_teams);
    }

    private static CoordinatorsMeeting Convene(int seats = 2) =>
        CoordinatorsMeeting.Convene(Given.Now.Plus(Duration.FromDays(30)), "Geneva, CICG", BothFund, seats, Given.Secretariat, Given.Now);

    private void Vote(CoordinatorsMeeting m, int voter, Office office, params int[] candidates) =>
        m.CastVote(office, _teams[voter].Id, candidates.Select(c => _coordinators[c].Id).ToList(), _electorate, Given.CoordinatorActor(_coordinators[voter]), Given.Now);

    private CoordinatorsMeeting WithCandidates(int seats, int[] chair, int[] vice)
    {
        var m = Convene(seats);
        foreach (var c in chair) m.NominateOfficer(Office.Chair, _coordinators[c].Id, _electorate, Given.Secretariat, Given.Now);
        foreach (var c in vice) m.NominateOfficer(Office.ViceChair, _coordinators[c].Id, _electorate, Given.Secretariat, Given.Now);
        return m;
    }

    [Fact]
    public void Convening_needs_funding_from_both_ITU_and_UNESCO()
    {
        var m = Convene();
        Assert.Equal([Funder.Itu, Funder.Unesco], m.Funding.Select(f => f.Funder));
        Assert.Equal("USD", m.Funding[1].Currency);

        var error = Given.Refused(DomainErrorKind.InvalidArgument, () =>
            CoordinatorsMeeting.Convene(Given.Now.Plus(Duration.FromDays(1)), "Geneva", [(Funder.Itu, Money.Of(100, "CHF", "funding[0]"))], 2, Given.Secretariat, Given.Now));
        Assert.Contains("UNESCO", error.Message);
        Assert.StartsWith("funding", error.Message);
        Given.Refused(DomainErrorKind.PermissionDenied, () =>
            CoordinatorsMeeting.Convene(Given.Now.Plus(Duration.FromDays(1)), "Geneva", BothFund, 2, Given.CoordinatorActor(_coordinators[0]), Given.Now));
    }

    [Theory]
    [InlineData(0, "CHF", "funding[0].amount_minor must be greater than zero")]
    [InlineData(-5, "CHF", "funding[0].amount_minor must be greater than zero")]
    [InlineData(10, "", "funding[0].currency_code is required (ISO 4217, e.g. CHF)")]
    [InlineData(10, "ABC", "funding[0].currency_code 'ABC' is not an ISO 4217 currency code")]
    public void Funding_amounts_and_currencies_are_checked(long amount, string currency, string expected)
    {
        var error = Given.Refused(DomainErrorKind.InvalidArgument, () => Money.Of(amount, currency, "funding[0]"));
        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void Candidates_must_be_designated_coordinators_and_nominators_coordinators_or_the_secretariat()
    {
        var m = Convene();
        var outsider = Given.Stakeholder("Outsider", StakeholderCategory.PrivateSector, "US");
        Given.Refused(DomainErrorKind.FailedPrecondition, () => m.NominateOfficer(Office.Chair, outsider.Id, _electorate, Given.Secretariat, Given.Now));
        Given.Refused(DomainErrorKind.PermissionDenied, () => m.NominateOfficer(Office.Chair, _coordinators[0].Id, _electorate, Given.CoordinatorActor(outsider), Given.Now));
        m.NominateOfficer(Office.Chair, _coordinators[0].Id, _electorate, Given.CoordinatorActor(_coordinators[1]), Given.Now);
        Given.Refused(DomainErrorKind.AlreadyExists, () => m.NominateOfficer(Office.Chair, _coordinators[0].Id, _electorate, Given.Secretariat, Given.Now));
        m.NominateOfficer(Office.ViceChair, _coordinators[0].Id, _electorate, Given.Secretariat, Given.Now);
        Assert.Equal(2, m.Nominations.Count);
    }

    [Fact]
    public void Ballots_one_per_team_per_office_cast_by_that_teams_coordinator()
    {
        var m = WithCandidates(2, chair: [0, 1], vice: [2, 3, 4]);
        Vote(m, 0, Office.Chair, 1);
        Given.Refused(DomainErrorKind.AlreadyExists, () => Vote(m, 0, Office.Chair, 0));
        Vote(m, 0, Office.ViceChair, 2, 3);

        // B's coordinator cannot cast team A's ballot; a stakeholder token of A is not a coordinator token.
        Given.Refused(DomainErrorKind.PermissionDenied, () =>
            m.CastVote(Office.Chair, _teams[0].Id, [_coordinators[1].Id], _electorate, Given.CoordinatorActor(_coordinators[1]), Given.Now));
        Given.Refused(DomainErrorKind.PermissionDenied, () =>
            m.CastVote(Office.ViceChair, _teams[1].Id, [_coordinators[2].Id], _electorate, Given.StakeholderActor(_coordinators[1]), Given.Now));
        var uncoordinated = Given.Team("C6");
        Given.Refused(DomainErrorKind.FailedPrecondition, () =>
            m.CastVote(Office.Chair, uncoordinated.Id, [_coordinators[1].Id], _electorate, Given.Secretariat, Given.Now));
        Assert.Equal(2, m.Ballots.Count);
    }

    [Fact]
    public void A_coordinator_of_several_teams_casts_one_ballot_per_team()
    {
        var m = WithCandidates(2, chair: [0, 1], vice: [2]);
        var twoTeams = Given.TeamCoordinatedBy(_coordinators[0], "C8");
        var electorate = Electorate.Of([.. _teams, twoTeams]);
        var a = Given.CoordinatorActor(_coordinators[0]);

        var first = m.CastVote(Office.Chair, [_coordinators[1].Id], electorate, a, Given.Now);
        var second = m.CastVote(Office.Chair, [_coordinators[0].Id], electorate, a, Given.Now);
        Assert.Equal(new[] { _teams[0].Id, twoTeams.Id }.Order(), new[] { first.TeamId, second.TeamId }.Order());
        Given.Refused(DomainErrorKind.AlreadyExists, () => m.CastVote(Office.Chair, [_coordinators[1].Id], electorate, a, Given.Now));
        var outsider = Given.Stakeholder("Outsider", StakeholderCategory.PrivateSector, "US");
        Given.Refused(DomainErrorKind.PermissionDenied, () => m.CastVote(Office.Chair, [_coordinators[1].Id], electorate, Given.CoordinatorActor(outsider), Given.Now));
    }

    [Fact]
    public void Ballot_content_is_checked_naming_the_candidate()
    {
        var m = WithCandidates(2, chair: [0, 1], vice: [2, 3, 4]);
        Assert.Equal("candidate_ids must name exactly one candidate on a CHAIR ballot",
            Given.Refused(DomainErrorKind.InvalidArgument, () => Vote(m, 0, Office.Chair, 0, 1)).Message);
        Assert.Contains("at most 2",
            Given.Refused(DomainErrorKind.InvalidArgument, () => Vote(m, 0, Office.ViceChair, 2, 3, 4)).Message);
        Assert.Equal("candidate_ids[1] repeats a candidate",
            Given.Refused(DomainErrorKind.InvalidArgument, () => Vote(m, 0, Office.ViceChair, 2, 2)).Message);
        Assert.Equal("candidate_ids[0] is not nominated for CHAIR",
            Given.Refused(DomainErrorKind.InvalidArgument, () => Vote(m, 0, Office.Chair, 2)).Message);
        Assert.Equal("candidate_ids is required",
            Given.Refused(DomainErrorKind.InvalidArgument, () => Vote(m, 0, Office.ViceChair)).Message);
        Assert.Empty(m.Ballots);
    }

    [Fact]
    public void Closing_elects_the_chair_by_plurality_and_the_vice_chairs_by_rank()
    {
        var m = WithCandidates(2, chair: [0, 1], vice: [0, 2, 3, 4]);
        Vote(m, 0, Office.Chair, 1);
        Vote(m, 1, Office.Chair, 0);
        Vote(m, 2, Office.Chair, 0);
        Vote(m, 0, Office.ViceChair, 2, 3);
        Vote(m, 1, Office.ViceChair, 2, 0);
        Vote(m, 2, Office.ViceChair, 2, 0);
        Vote(m, 3, Office.ViceChair, 3, 0);
        Vote(m, 4, Office.ViceChair, 4);

        m.CloseElection(Given.Secretariat, Given.Now.Plus(Duration.FromDays(31)));

        Assert.Equal(_coordinators[0].Id, m.ChairId);
        // A had most vice-chair votes but was elected chair; C (3 votes) then D (2) take the seats.
        Assert.Equal([_coordinators[2].Id, _coordinators[3].Id], m.ViceChairIds);
        Assert.Empty(m.ChairTieIds);
        Assert.Empty(m.ViceChairTieIds);
        Assert.Equal(0, m.UnfilledViceChairSeats);
        Assert.True(m.IsOfficer(_coordinators[3].Id));
    }

    [Fact]
    public void A_chair_tie_is_reported_and_nobody_is_made_chair()
    {
        var m = WithCandidates(2, chair: [0, 1, 2], vice: [3]);
        Vote(m, 0, Office.Chair, 1);
        Vote(m, 1, Office.Chair, 0);
        Vote(m, 2, Office.Chair, 2);
        Vote(m, 3, Office.Chair, 0);
        Vote(m, 4, Office.Chair, 1);

        m.CloseElection(Given.Secretariat, Given.Now);

        Assert.Null(m.ChairId);
        Assert.Equal(new[] { _coordinators[0].Id, _coordinators[1].Id }.Order(), m.ChairTieIds.Order());
    }

    [Fact]
    public void A_tie_for_the_last_vice_chair_seat_is_reported_and_the_seat_left_unfilled()
    {
        var m = WithCandidates(2, chair: [0], vice: [1, 2, 3]);
        Vote(m, 0, Office.Chair, 0);
        Vote(m, 0, Office.ViceChair, 1, 2);
        Vote(m, 1, Office.ViceChair, 1, 3);
        Vote(m, 2, Office.ViceChair, 1);

        m.CloseElection(Given.Secretariat, Given.Now);

        Assert.Equal([_coordinators[1].Id], m.ViceChairIds);
        Assert.Equal(new[] { _coordinators[2].Id, _coordinators[3].Id }.Order(), m.ViceChairTieIds.Order());
        Assert.Equal(1, m.UnfilledViceChairSeats);
    }

    [Fact]
    public void Results_are_final_once_closed()
    {
        var m = WithCandidates(2, chair: [0, 1], vice: [2]);
        Given.Refused(DomainErrorKind.FailedPrecondition, () => m.CloseElection(Given.Secretariat, Given.Now));
        Vote(m, 0, Office.Chair, 0);
        Given.Refused(DomainErrorKind.PermissionDenied, () => m.CloseElection(Given.CoordinatorActor(_coordinators[0]), Given.Now));
        m.CloseElection(Given.Secretariat, Given.Now);

        Given.Refused(DomainErrorKind.FailedPrecondition, () => Vote(m, 1, Office.Chair, 1));
        Given.Refused(DomainErrorKind.FailedPrecondition, () => m.NominateOfficer(Office.ViceChair, _coordinators[3].Id, _electorate, Given.Secretariat, Given.Now));
        var error = Given.Refused(DomainErrorKind.FailedPrecondition, () => m.CloseElection(Given.Secretariat, Given.Now));
        Assert.Contains("final", error.Message);
        Assert.Equal(_coordinators[0].Id, m.ChairId);
        Assert.Single(m.Ballots);
    }

    [Fact]
    public void The_chair_or_the_secretariat_sets_the_framework_and_the_stocktaking_procedures()
    {
        var m = WithCandidates(2, chair: [0], vice: [1]);
        var chair = Given.CoordinatorActor(_coordinators[0]);
        // Before the election nobody but the secretariat may.
        Given.Refused(DomainErrorKind.PermissionDenied, () => m.SetImplementationFramework("x", chair, Given.Now));
        m.SetImplementationFramework("Framework v1", Given.Secretariat, Given.Now);
        Vote(m, 0, Office.Chair, 0);
        Vote(m, 1, Office.ViceChair, 1);
        m.CloseElection(Given.Secretariat, Given.Now);

        m.SetImplementationFramework("Framework v2", chair, Given.Now);
        Assert.Equal(("Framework v2", 2), (m.ImplementationFramework, m.ImplementationFrameworkVersion));
        Given.Refused(DomainErrorKind.PermissionDenied, () => m.SetImplementationFramework("x", Given.CoordinatorActor(_coordinators[1]), Given.Now));

        var deadline = Instant.FromUtc(2027, 3, 31, 22, 0);
        var p = m.SetStocktakingProcedures(2027, deadline, ["title", "Description", "action_line_codes"], chair, Given.Now);
        Assert.Equal(["title", "description", "action_line_codes"], p.RequiredFields);
        m.SetStocktakingProcedures(2027, deadline.Plus(Duration.FromDays(7)), ["title"], Given.Secretariat, Given.Now);
        var only = Assert.Single(m.StocktakingProcedures);
        Assert.Equal((2, deadline.Plus(Duration.FromDays(7))), (only.Revision, only.ContributionDeadline));
        m.SetStocktakingProcedures(2028, deadline.Plus(Duration.FromDays(365)), ["title"], chair, Given.Now);
        Assert.Equal(2, m.StocktakingProcedures.Count);
    }

    [Theory]
    [InlineData(2004, 10, new[] { "title" }, "year must be between 2005 and 2100")]
    [InlineData(2027, -1, new[] { "title" }, "contribution_deadline must be in the future")]
    [InlineData(2027, 10, new string[0], "required_fields is required")]
    [InlineData(2027, 10, new[] { "title", "colour" }, "required_fields[1] is not a field of a stocktaking entry")]
    [InlineData(2027, 10, new[] { "url", "URL" }, "required_fields[1] repeats 'url'")]
    public void Stocktaking_procedures_are_checked_naming_the_field(int year, int deadlineDays, string[] fields, string expected)
    {
        var m = Convene();
        var error = Given.Refused(DomainErrorKind.InvalidArgument, () => m.SetStocktakingProcedures(year, Given.Now.Plus(Duration.FromDays(deadlineDays)), fields, Given.Secretariat, Given.Now));
        Assert.StartsWith(expected, error.Message);
    }
}
