using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Wsis.Contracts.Events;
using V1 = Wsis.Teams.V1;

namespace Wsis.Teams.Tests.Api;

/// <summary>LeaveTeam, CloseElection, SetImplementationFramework and SetStocktakingProcedures take a
/// request_id like Teams' other writes: a replay
/// (a double click, a retry after a lost answer, from any gateway instance) gets the first answer and
/// changes nothing more: one effect, one line of history, one event.</summary>
public sealed class RequestIdReplayTests(TeamsApiFixture fixture) : IClassFixture<TeamsApiFixture>
{
    private TeamsServiceHost Service => fixture.Service;
    private Metadata Ana => Service.Person("secretariat-ana", "Ana Secretariat", Role.Secretariat);

    [Fact]
    public async Task Leaving_a_team_twice_with_one_request_id_answers_the_first_leave_and_leaves_once()
    {
        var team = await fixture.CreateTeam("C4");
        var leaver = await fixture.Register("Replay Leaver Org", V1.StakeholderCategory.CivilSociety, "KE");
        var later = await fixture.Register("Replay Later Org", V1.StakeholderCategory.CivilSociety, "KE");
        var eli = Service.Person("stakeholder-replay", "Eli Stakeholder", Role.Stakeholder, Guid.Parse(leaver.Id));
        await Service.Teams.JoinTeamAsync(new V1.JoinTeamRequest { TeamId = team.Id, StakeholderId = leaver.Id }, eli);

        var leave = new V1.LeaveTeamRequest { TeamId = team.Id, StakeholderId = leaver.Id, RequestId = "leave-c4-once" };
        // A double click: both posts at once, then a retry after the answer was lost.
        var both = await Task.WhenAll(Service.Teams.LeaveTeamAsync(leave, eli).ResponseAsync, Service.Teams.LeaveTeamAsync(leave, eli).ResponseAsync);
        var retry = await Service.Teams.LeaveTeamAsync(leave, eli);

        Assert.Equal(both[0].ToByteString(), both[1].ToByteString());
        Assert.Equal(both[0].ToByteString(), retry.ToByteString());
        Assert.DoesNotContain(retry.Members, m => m.StakeholderId == leaver.Id);
        // Without the key, a second leave is what it always was: refused, the stakeholder is no member.
        await TeamsApiFixture.Refused(StatusCode.FailedPrecondition, async () =>
            await Service.Teams.LeaveTeamAsync(new V1.LeaveTeamRequest { TeamId = team.Id, StakeholderId = leaver.Id }, eli));

        var history = await History(team.Id);
        Assert.Equal(["TeamCreated", "StakeholderJoined", "StakeholderLeft"], history.Select(h => h.Action).ToList());

        // Membership events keep their order: once a later change's event has arrived, a second LEFT would have too.
        await Service.Teams.JoinTeamAsync(new V1.JoinTeamRequest { TeamId = team.Id, StakeholderId = later.Id }, Service.Secretariat);
        await fixture.Consumer.WaitFor<TeamMembershipChanged>(e => e.TeamId == team.Id && e.StakeholderId == later.Id);
        Assert.Equal(1, fixture.Consumer.Count<TeamMembershipChanged>(e => e.TeamId == team.Id && e.StakeholderId == leaver.Id && e.Change == "LEFT"));
    }

    [Fact]
    public async Task A_request_id_used_again_with_other_content_answers_the_first_call_and_changes_nothing()
    {
        var team = await fixture.CreateTeam("C6");
        var member = await fixture.Register("Replay Member Org", V1.StakeholderCategory.AcademicAndTechnical, "BR");
        var other = await fixture.Register("Replay Other Org", V1.StakeholderCategory.AcademicAndTechnical, "BR");
        await Service.Teams.JoinTeamAsync(new V1.JoinTeamRequest { TeamId = team.Id, StakeholderId = member.Id }, Ana);
        await Service.Teams.JoinTeamAsync(new V1.JoinTeamRequest { TeamId = team.Id, StakeholderId = other.Id }, Ana);

        var first = await Service.Teams.LeaveTeamAsync(new V1.LeaveTeamRequest { TeamId = team.Id, StakeholderId = member.Id, RequestId = "leave-c6" }, Ana);
        // The key names one request of this caller on this method, as for every write of the platform: its
        // first answer, whatever the new content; the other member stays.
        var reused = await Service.Teams.LeaveTeamAsync(new V1.LeaveTeamRequest { TeamId = team.Id, StakeholderId = other.Id, RequestId = "leave-c6" }, Ana);

        Assert.Equal(first.ToByteString(), reused.ToByteString());
        var now = await Service.Teams.GetTeamAsync(new V1.GetTeamRequest { Id = team.Id });
        Assert.Contains(now.Members, m => m.StakeholderId == other.Id);
        Assert.Single(await History(team.Id), h => h.Action == "StakeholderLeft");
        var tooLong = await TeamsApiFixture.Refused(StatusCode.InvalidArgument, async () => await Service.Teams.LeaveTeamAsync(
            new V1.LeaveTeamRequest { TeamId = team.Id, StakeholderId = other.Id, RequestId = new string('k', 129) }, Ana));
        Assert.Equal("request_id must be at most 128 characters", tooLong.Status.Detail);
    }

    [Fact]
    public async Task Setting_the_implementation_framework_twice_with_one_request_id_answers_the_first_and_records_it_once()
    {
        var meeting = await Convene("Geneva, replay");
        var set = new V1.SetImplementationFrameworkRequest { MeetingId = meeting.Id, Text = "The framework, once.", RequestId = "framework-once" };

        var both = await Task.WhenAll(Service.Meetings.SetImplementationFrameworkAsync(set, Ana).ResponseAsync, Service.Meetings.SetImplementationFrameworkAsync(set, Ana).ResponseAsync);
        var retry = await Service.Meetings.SetImplementationFrameworkAsync(set, Ana);
        // Reused with another text, the key still answers the first call: the text stays.
        var reused = await Service.Meetings.SetImplementationFrameworkAsync(
            new V1.SetImplementationFrameworkRequest { MeetingId = meeting.Id, Text = "Another framework.", RequestId = "framework-once" }, Ana);

        Assert.Equal("The framework, once.", both[0].ImplementationFramework);
        Assert.All(new[] { both[1], retry, reused }, answer => Assert.Equal(both[0].ToByteString(), answer.ToByteString()));
        Assert.Equal("The framework, once.", (await Service.Meetings.GetCoordinatorsMeetingAsync(new V1.GetCoordinatorsMeetingRequest { Id = meeting.Id })).ImplementationFramework);
        var history = (await Service.Meetings.ListCoordinatorsMeetingHistoryAsync(new V1.ListCoordinatorsMeetingHistoryRequest { MeetingId = meeting.Id }, Ana)).Entries;
        Assert.Equal(["CoordinatorsMeetingConvened", "ImplementationFrameworkSet"], history.Select(h => h.Action).ToList());

        // A new key is a new call: the framework changes and a second line is written.
        await Service.Meetings.SetImplementationFrameworkAsync(new V1.SetImplementationFrameworkRequest { MeetingId = meeting.Id, Text = "A second framework.", RequestId = "framework-twice" }, Ana);
        var after = (await Service.Meetings.ListCoordinatorsMeetingHistoryAsync(new V1.ListCoordinatorsMeetingHistoryRequest { MeetingId = meeting.Id }, Ana)).Entries;
        Assert.Equal(2, after.Count(h => h.Action == "ImplementationFrameworkSet"));
    }

    [Fact]
    public async Task Closing_an_election_twice_with_one_request_id_answers_the_first_close_and_elects_once()
    {
        var candidate = await fixture.Register("Replay Chair Org");
        await fixture.CoordinatedTeam("C8", candidate);
        var meeting = await Convene("Tunis, replay");
        await Service.Meetings.NominateOfficerAsync(new V1.NominateOfficerRequest { MeetingId = meeting.Id, Office = V1.Office.Chair, StakeholderId = candidate.Id }, Ana);
        var ballot = new V1.CastVoteRequest { MeetingId = meeting.Id, Office = V1.Office.Chair };
        ballot.CandidateIds.Add(candidate.Id);
        await Service.Meetings.CastVoteAsync(ballot, Service.CoordinatorOf(Guid.Parse(candidate.Id)));
        var close = new V1.CloseElectionRequest { MeetingId = meeting.Id, RequestId = "close-once" };

        var both = await Task.WhenAll(Service.Meetings.CloseElectionAsync(close, Ana).ResponseAsync, Service.Meetings.CloseElectionAsync(close, Ana).ResponseAsync);
        var retry = await Service.Meetings.CloseElectionAsync(close, Ana);

        Assert.Equal(candidate.Id, both[0].ChairStakeholderId);
        Assert.All(new[] { both[1], retry }, answer => Assert.Equal(both[0].ToByteString(), answer.ToByteString()));
        // Without the key, a second close is what it always was: refused, the election is closed.
        await TeamsApiFixture.Refused(StatusCode.FailedPrecondition, async () => await Service.Meetings.CloseElectionAsync(new V1.CloseElectionRequest { MeetingId = meeting.Id }, Ana));
        Assert.Single(await MeetingHistory(meeting.Id), h => h.Action == "ElectionClosed");
        // The meeting's events keep their order: once a later one has arrived, a second OfficersElected would have too.
        var procedures = Procedures(meeting.Id, 2031, "procedures-after-close");
        await Service.Meetings.SetStocktakingProceduresAsync(procedures, Ana);
        await fixture.Consumer.WaitFor<StocktakingProceduresSet>(e => e.MeetingId == meeting.Id && e.Year == 2031);
        Assert.Equal(1, fixture.Consumer.Count<OfficersElected>(e => e.MeetingId == meeting.Id));
    }

    [Fact]
    public async Task Setting_stocktaking_procedures_twice_with_one_request_id_answers_the_first_and_publishes_them_once()
    {
        var meeting = await Convene("Nairobi, replay");
        var set = Procedures(meeting.Id, 2030, "procedures-once");

        var both = await Task.WhenAll(Service.Meetings.SetStocktakingProceduresAsync(set, Ana).ResponseAsync, Service.Meetings.SetStocktakingProceduresAsync(set, Ana).ResponseAsync);
        var retry = await Service.Meetings.SetStocktakingProceduresAsync(set, Ana);

        Assert.All(new[] { both[1], retry }, answer => Assert.Equal(both[0].ToByteString(), answer.ToByteString()));
        var history = await MeetingHistory(meeting.Id);
        // Set again without the key, the procedures would be replaced (a second line, a second event): not here.
        Assert.Equal(["CoordinatorsMeetingConvened", "StocktakingProceduresSet"], history.Select(h => h.Action).ToList());
        await Service.Meetings.SetStocktakingProceduresAsync(Procedures(meeting.Id, 2032, "procedures-later"), Ana);
        await fixture.Consumer.WaitFor<StocktakingProceduresSet>(e => e.MeetingId == meeting.Id && e.Year == 2032);
        Assert.Equal(1, fixture.Consumer.Count<StocktakingProceduresSet>(e => e.MeetingId == meeting.Id && e.Year == 2030));
    }

    private static V1.SetStocktakingProceduresRequest Procedures(string meetingId, int year, string requestId)
    {
        var procedures = new V1.SetStocktakingProceduresRequest
        {
            MeetingId = meetingId,
            Year = year,
            ContributionDeadline = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(90)),
            RequestId = requestId,
        };
        procedures.RequiredFields.Add("title");
        return procedures;
    }

    private async Task<List<V1.HistoryEntry>> MeetingHistory(string meetingId) =>
        [.. (await Service.Meetings.ListCoordinatorsMeetingHistoryAsync(new V1.ListCoordinatorsMeetingHistoryRequest { MeetingId = meetingId, PageSize = 500 }, Ana)).Entries];

    private async Task<V1.CoordinatorsMeeting> Convene(string venue)
    {
        var convene = new V1.ConveneCoordinatorsMeetingRequest { StartsAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(60)), Venue = venue };
        convene.Funding.Add(new V1.FundingLine { Funder = V1.Funder.Itu, Amount = new V1.Money { AmountMinor = 100, CurrencyCode = "CHF" } });
        convene.Funding.Add(new V1.FundingLine { Funder = V1.Funder.Unesco, Amount = new V1.Money { AmountMinor = 200, CurrencyCode = "EUR" } });
        return await Service.Meetings.ConveneCoordinatorsMeetingAsync(convene, Ana);
    }

    private async Task<List<V1.HistoryEntry>> History(string teamId) =>
        [.. (await Service.Teams.ListTeamHistoryAsync(new V1.ListTeamHistoryRequest { TeamId = teamId, PageSize = 500 }, Ana)).Entries];
}
