using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using V1 = Wsis.Teams.V1;

namespace Wsis.Teams.Tests.Api;

public sealed class CoordinatorsMeetingsApiTests(TeamsApiFixture fixture) : IClassFixture<TeamsApiFixture>
{
    private TeamsServiceHost Service => fixture.Service;
    private V1.CoordinatorsMeetings.CoordinatorsMeetingsClient Meetings => fixture.Service.Meetings;

    private static V1.FundingLine Funding(V1.Funder funder, long minor, string currency) =>
        new() { Funder = funder, Amount = new V1.Money { AmountMinor = minor, CurrencyCode = currency } };

    private static V1.ConveneCoordinatorsMeetingRequest Convene(params V1.FundingLine[] funding)
    {
        var request = new V1.ConveneCoordinatorsMeetingRequest
        {
            StartsAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(60)),
            Venue = "Geneva, ITU headquarters",
        };
        request.Funding.AddRange(funding);
        return request;
    }

    [Fact]
    public async Task Convening_needs_the_secretariat_and_funding_from_both_ITU_and_UNESCO()
    {
        var error = await TeamsApiFixture.Refused(StatusCode.InvalidArgument, async () =>
            await Meetings.ConveneCoordinatorsMeetingAsync(Convene(Funding(V1.Funder.Itu, 1_000_00, "CHF")), Service.Secretariat));
        Assert.Contains("UNESCO", error.Status.Detail);
        error = await TeamsApiFixture.Refused(StatusCode.InvalidArgument, async () =>
            await Meetings.ConveneCoordinatorsMeetingAsync(Convene(Funding(V1.Funder.Itu, 100, "CHF"), Funding(V1.Funder.Unesco, 100, "XYZ")), Service.Secretariat));
        Assert.Equal("funding[1].amount.currency_code 'XYZ' is not an ISO 4217 currency code", error.Status.Detail);
        await TeamsApiFixture.Refused(StatusCode.PermissionDenied, async () =>
            await Meetings.ConveneCoordinatorsMeetingAsync(Convene(Funding(V1.Funder.Itu, 100, "CHF"), Funding(V1.Funder.Unesco, 100, "EUR")), Service.CoordinatorOf(Guid.NewGuid())));

        var request = Convene(Funding(V1.Funder.Itu, 5_000_000, "CHF"), Funding(V1.Funder.Unesco, 4_000_000, "USD"));
        request.RequestId = "convene-once";
        var meeting = await Meetings.ConveneCoordinatorsMeetingAsync(request, Service.Secretariat);
        Assert.Equal((2, V1.ElectionState.ElectionOpen), (meeting.ViceChairSeats, meeting.ElectionState));
        Assert.Equal(meeting.Id, (await Meetings.ConveneCoordinatorsMeetingAsync(request, Service.Secretariat)).Id);
        Assert.Equal(4_000_000, meeting.Funding.Single(f => f.Funder == V1.Funder.Unesco).Amount.AmountMinor);
    }

    [Fact]
    public async Task Coordinators_elect_officers_ties_are_reported_and_results_are_final()
    {
        // Four coordinated teams; A also coordinates a second team and so casts two ballots.
        var a = await fixture.Register("Coord A");
        var b = await fixture.Register("Coord B");
        var c = await fixture.Register("Coord C");
        await fixture.CoordinatedTeam("C4", a);
        await fixture.CoordinatedTeam("C5", b);
        await fixture.CoordinatedTeam("C6", c);
        await fixture.CoordinatedTeam("C8", a);
        var outsider = await fixture.Register("Not A Coordinator", V1.StakeholderCategory.PrivateSector, "JP");

        var meeting = await Meetings.ConveneCoordinatorsMeetingAsync(Convene(Funding(V1.Funder.Itu, 100, "CHF"), Funding(V1.Funder.Unesco, 100, "EUR")), Service.Secretariat);
        V1.NominateOfficerRequest Nominate(V1.Office office, V1.Stakeholder s) => new() { MeetingId = meeting.Id, Office = office, StakeholderId = s.Id };
        var error = await TeamsApiFixture.Refused(StatusCode.FailedPrecondition, async () => await Meetings.NominateOfficerAsync(Nominate(V1.Office.Chair, outsider), Service.Secretariat));
        Assert.Contains("not the designated coordinator", error.Status.Detail);
        await Meetings.NominateOfficerAsync(Nominate(V1.Office.Chair, a), Service.CoordinatorOf(Guid.Parse(b.Id)));
        await Meetings.NominateOfficerAsync(Nominate(V1.Office.Chair, b), Service.Secretariat);
        foreach (var s in new[] { a, b, c })
            await Meetings.NominateOfficerAsync(Nominate(V1.Office.ViceChair, s), Service.Secretariat);

        async Task<V1.CastVoteResponse> Vote(V1.Stakeholder voter, V1.Office office, params V1.Stakeholder[] candidates)
        {
            var request = new V1.CastVoteRequest { MeetingId = meeting.Id, Office = office };
            request.CandidateIds.AddRange(candidates.Select(x => x.Id));
            return await Meetings.CastVoteAsync(request, Service.CoordinatorOf(Guid.Parse(voter.Id)));
        }

        var first = await Vote(a, V1.Office.Chair, a);
        var second = await Vote(a, V1.Office.Chair, a);
        Assert.NotEqual(first.TeamId, second.TeamId);
        await TeamsApiFixture.Refused(StatusCode.AlreadyExists, async () => await Vote(a, V1.Office.Chair, b));
        await Vote(b, V1.Office.Chair, b);
        error = await TeamsApiFixture.Refused(StatusCode.InvalidArgument, async () => await Vote(c, V1.Office.Chair, a, b));
        Assert.Equal("candidate_ids must name exactly one candidate on a CHAIR ballot", error.Status.Detail);
        await TeamsApiFixture.Refused(StatusCode.PermissionDenied, async () => await Vote(outsider, V1.Office.Chair, a));
        await Vote(c, V1.Office.Chair, b);
        // Chair: A 2, B 2 (a tie). Vice-chairs: B 2, C 2, A 1 for two seats.
        await Vote(a, V1.Office.ViceChair, b, c);
        await Vote(b, V1.Office.ViceChair, c);
        await Vote(c, V1.Office.ViceChair, b, a);

        var open = await Meetings.GetCoordinatorsMeetingAsync(new V1.GetCoordinatorsMeetingRequest { Id = meeting.Id });
        Assert.Empty(open.Results); // no running tallies while voting is open

        await TeamsApiFixture.Refused(StatusCode.PermissionDenied, async () =>
            await Meetings.CloseElectionAsync(new V1.CloseElectionRequest { MeetingId = meeting.Id }, Service.CoordinatorOf(Guid.Parse(a.Id))));
        var closed = await Meetings.CloseElectionAsync(new V1.CloseElectionRequest { MeetingId = meeting.Id }, Service.Secretariat);

        Assert.Equal(V1.ElectionState.ElectionClosed, closed.ElectionState);
        var chair = closed.Results.Single(r => r.Office == V1.Office.Chair);
        Assert.True(chair.Tie);
        Assert.Equal(new[] { a.Id, b.Id }.Order(), chair.TiedStakeholderIds.Order());
        Assert.Empty(chair.ElectedStakeholderIds);
        Assert.Equal("", closed.ChairStakeholderId);
        Assert.Equal(4, chair.BallotsCast);
        var vice = closed.Results.Single(r => r.Office == V1.Office.ViceChair);
        Assert.False(vice.Tie);
        Assert.Equal(new[] { b.Id, c.Id }.Order(), vice.ElectedStakeholderIds.Order());
        Assert.Equal(new[] { b.Id, c.Id }.Order(), closed.ViceChairStakeholderIds.Order());

        error = await TeamsApiFixture.Refused(StatusCode.FailedPrecondition, async () => await Vote(c, V1.Office.ViceChair, a));
        Assert.Contains("final", error.Status.Detail);
        await TeamsApiFixture.Refused(StatusCode.FailedPrecondition, async () =>
            await Meetings.CloseElectionAsync(new V1.CloseElectionRequest { MeetingId = meeting.Id }, Service.Secretariat));

        // No chair was elected, so only the secretariat sets the framework and the procedures.
        await TeamsApiFixture.Refused(StatusCode.PermissionDenied, async () =>
            await Meetings.SetImplementationFrameworkAsync(new V1.SetImplementationFrameworkRequest { MeetingId = meeting.Id, Text = "x" }, Service.CoordinatorOf(Guid.Parse(b.Id))));
        var framed = await Meetings.SetImplementationFrameworkAsync(new V1.SetImplementationFrameworkRequest { MeetingId = meeting.Id, Text = "Framework 2027" }, Service.Secretariat);
        Assert.Equal("Framework 2027", framed.ImplementationFramework);
    }

    [Fact]
    public async Task The_elected_chair_sets_the_stocktaking_procedures_of_a_year()
    {
        var chair = await fixture.Register("Chair Org");
        var voter = await fixture.Register("Voter Org");
        await fixture.CoordinatedTeam("C9", chair);
        await fixture.CoordinatedTeam("C10", voter);
        var meeting = await Meetings.ConveneCoordinatorsMeetingAsync(Convene(Funding(V1.Funder.Itu, 100, "CHF"), Funding(V1.Funder.Unesco, 100, "EUR")), Service.Secretariat);
        await Meetings.NominateOfficerAsync(new V1.NominateOfficerRequest { MeetingId = meeting.Id, Office = V1.Office.Chair, StakeholderId = chair.Id }, Service.Secretariat);
        var ballot = new V1.CastVoteRequest { MeetingId = meeting.Id, Office = V1.Office.Chair };
        ballot.CandidateIds.Add(chair.Id);
        await Meetings.CastVoteAsync(ballot, Service.CoordinatorOf(Guid.Parse(voter.Id)));
        var closed = await Meetings.CloseElectionAsync(new V1.CloseElectionRequest { MeetingId = meeting.Id }, Service.Secretariat);
        Assert.Equal(chair.Id, closed.ChairStakeholderId);

        var request = new V1.SetStocktakingProceduresRequest
        {
            MeetingId = meeting.Id, Year = 2027, ContributionDeadline = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(120)),
        };
        request.RequiredFields.AddRange(["title", "description", "action_line_codes", "colour"]);
        var error = await TeamsApiFixture.Refused(StatusCode.InvalidArgument, async () => await Meetings.SetStocktakingProceduresAsync(request, Service.CoordinatorOf(Guid.Parse(chair.Id))));
        Assert.StartsWith("required_fields[3]", error.Status.Detail);
        request.RequiredFields.RemoveAt(3);
        await TeamsApiFixture.Refused(StatusCode.PermissionDenied, async () => await Meetings.SetStocktakingProceduresAsync(request, Service.CoordinatorOf(Guid.Parse(voter.Id))));
        var set = await Meetings.SetStocktakingProceduresAsync(request, Service.CoordinatorOf(Guid.Parse(chair.Id)));
        var procedures = Assert.Single(set.StocktakingProcedures);
        Assert.Equal(2027, procedures.Year);
        Assert.Equal(["title", "description", "action_line_codes"], procedures.RequiredFields);

        var listed = await Meetings.ListCoordinatorsMeetingsAsync(new V1.ListCoordinatorsMeetingsRequest());
        Assert.Contains(listed.Meetings, m => m.Id == meeting.Id && m.StocktakingProcedures.Count == 1);
    }
}
