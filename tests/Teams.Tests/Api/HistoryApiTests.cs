using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Platform.Domain;
using V1 = Wsis.Teams.V1;

namespace Wsis.Teams.Tests.Api;

/// <summary>The histories the secretariat reads: a team's (with its meetings) and a coordinators' meeting's.</summary>
public sealed class HistoryApiTests(TeamsApiFixture fixture) : IClassFixture<TeamsApiFixture>
{
    private TeamsServiceHost Service => fixture.Service;
    private V1.Teams.TeamsClient Teams => fixture.Service.Teams;

    private Metadata Ana => Service.Person("secretariat-ana", "Ana Secretariat", Role.Secretariat);

    private async Task<List<V1.HistoryEntry>> TeamHistory(string teamId, int pageSize = 0)
    {
        var all = new List<V1.HistoryEntry>();
        var token = "";
        do
        {
            var page = await Teams.ListTeamHistoryAsync(new V1.ListTeamHistoryRequest { TeamId = teamId, PageSize = pageSize, PageToken = token }, Ana);
            all.AddRange(page.Entries);
            token = page.NextPageToken;
        }
        while (token != "");
        return all;
    }

    [Fact]
    public async Task Each_change_to_a_team_and_its_meetings_is_in_its_history_in_order_with_who_made_it()
    {
        var coordinator = await fixture.Register("History Coordinator Org");
        var member = await fixture.Register("History Member Org", V1.StakeholderCategory.CivilSociety, "KE");
        var coordinatorId = Guid.Parse(coordinator.Id);
        var memberId = Guid.Parse(member.Id);
        var chen = Service.Person("coordinator-chen", "Chen Coordinator", Role.Coordinator, coordinatorId);
        var eli = Service.Person("stakeholder-eli", "Eli Stakeholder", Role.Stakeholder, memberId);

        var team = await Teams.CreateTeamAsync(new V1.CreateTeamRequest { ActionLineCode = "C1", RequestId = "history-c1" }, Ana);
        // A retry with the same request id returns the first result and writes no second line.
        await Teams.CreateTeamAsync(new V1.CreateTeamRequest { ActionLineCode = "C1", RequestId = "history-c1" }, Ana);
        await Teams.JoinTeamAsync(new V1.JoinTeamRequest { TeamId = team.Id, StakeholderId = member.Id }, eli);
        await Teams.NominateCoordinatorAsync(new V1.NominateCoordinatorRequest { TeamId = team.Id, StakeholderId = coordinator.Id }, Ana);
        // A refused change leaves no line.
        await TeamsApiFixture.Refused(StatusCode.FailedPrecondition, async () => await Teams.RecordCoordinatorDesignationAsync(
            new V1.RecordCoordinatorDesignationRequest { TeamId = team.Id, StakeholderId = coordinator.Id, DecisionReference = "too early" }, Ana));
        await Teams.RecordCoordinatorRecommendationAsync(new V1.RecordCoordinatorRecommendationRequest { TeamId = team.Id, StakeholderId = coordinator.Id, MeetingReference = "WSIS stakeholder meeting 2026" }, Ana);
        await Teams.RecordCoordinatorDesignationAsync(new V1.RecordCoordinatorDesignationRequest { TeamId = team.Id, StakeholderId = coordinator.Id, DecisionReference = "SG/2026/17" }, Ana);
        await Teams.SetCoordinationModalitiesAsync(new V1.SetCoordinationModalitiesRequest { TeamId = team.Id, Text = "Monthly calls." }, chen);
        var meeting = await Teams.ScheduleTeamMeetingAsync(new V1.ScheduleTeamMeetingRequest
        {
            TeamId = team.Id,
            Title = "Kick-off",
            StartsAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(10)),
            EndsAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(10).AddHours(2)),
            VenueOrLink = "https://meet.example/kick-off",
        }, chen);
        await Teams.RegisterForTeamMeetingAsync(new V1.RegisterForTeamMeetingRequest { MeetingId = meeting.Id, StakeholderId = member.Id }, eli);
        await Teams.LeaveTeamAsync(new V1.LeaveTeamRequest { TeamId = team.Id, StakeholderId = member.Id }, eli);

        var history = await TeamHistory(team.Id);

        Assert.Equal(
            [
                ("TeamCreated", "secretariat-ana", "Ana Secretariat"),
                ("StakeholderJoined", "stakeholder-eli", "Eli Stakeholder"),
                ("CoordinatorNominated", "secretariat-ana", "Ana Secretariat"),
                ("CoordinatorRecommended", "secretariat-ana", "Ana Secretariat"),
                ("CoordinatorDesignated", "secretariat-ana", "Ana Secretariat"),
                ("CoordinationModalitiesSet", "coordinator-chen", "Chen Coordinator"),
                ("TeamMeetingScheduled", "coordinator-chen", "Chen Coordinator"),
                ("TeamMeetingRegistration", "stakeholder-eli", "Eli Stakeholder"),
                ("StakeholderLeft", "stakeholder-eli", "Eli Stakeholder"),
            ],
            history.Select(h => (h.Action, h.ActorSubject, h.ActorName)).ToList());
        Assert.Contains("History Member Org", history[1].Detail);
        Assert.Contains("History Coordinator Org", history[2].Detail);
        Assert.Contains("SG/2026/17", history[4].Detail);
        Assert.Contains("Kick-off", history[6].Detail);
        // Contact e-mail addresses are personal data: never in a history.
        Assert.DoesNotContain(history, h => h.Detail.Contains('@'));
        var times = history.Select(h => h.At.ToDateTimeOffset()).ToList();
        Assert.Equal(times.Order(), times);
        Assert.All(times, t => Assert.InRange(t, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1)));

        // Paged two at a time, the pages hold the same lines in the same order.
        var paged = await TeamHistory(team.Id, pageSize: 2);
        Assert.Equal(history, paged);
        var first = await Teams.ListTeamHistoryAsync(new V1.ListTeamHistoryRequest { TeamId = team.Id, PageSize = 4 }, Ana);
        Assert.Equal(4, first.Entries.Count);
        Assert.NotEqual("", first.NextPageToken);
    }

    [Fact]
    public async Task Only_the_secretariat_reads_a_history()
    {
        var stakeholder = await fixture.Register("History Reader Org", V1.StakeholderCategory.PrivateSector, "FR");
        var team = await Teams.CreateTeamAsync(new V1.CreateTeamRequest { ActionLineCode = "C2" }, Ana);
        var request = new V1.ListTeamHistoryRequest { TeamId = team.Id };

        var error = await TeamsApiFixture.Refused(StatusCode.PermissionDenied, async () => await Teams.ListTeamHistoryAsync(request, Service.StakeholderOf(Guid.Parse(stakeholder.Id))));
        Assert.Equal("teams.v1.Teams/ListTeamHistory may be called only by the secretariat (role secretariat)", error.Status.Detail);
        await TeamsApiFixture.Refused(StatusCode.PermissionDenied, async () => await Teams.ListTeamHistoryAsync(request, Service.CoordinatorOf(Guid.Parse(stakeholder.Id))));
        await TeamsApiFixture.Refused(StatusCode.Unauthenticated, async () => await Teams.ListTeamHistoryAsync(request));
        await TeamsApiFixture.Refused(StatusCode.PermissionDenied, async () => await Service.Meetings.ListCoordinatorsMeetingHistoryAsync(
            new V1.ListCoordinatorsMeetingHistoryRequest { MeetingId = Guid.NewGuid().ToString() }, Service.StakeholderOf(Guid.Parse(stakeholder.Id))));

        var unknown = await TeamsApiFixture.Refused(StatusCode.NotFound, async () => await Teams.ListTeamHistoryAsync(new V1.ListTeamHistoryRequest { TeamId = Guid.NewGuid().ToString() }, Ana));
        Assert.Contains("not found", unknown.Status.Detail);
        var badToken = await TeamsApiFixture.Refused(StatusCode.InvalidArgument, async () => await Teams.ListTeamHistoryAsync(new V1.ListTeamHistoryRequest { TeamId = team.Id, PageToken = "not-a-token" }, Ana));
        Assert.Equal("page_token is not a token this service issued", badToken.Status.Detail);
        Assert.Single((await Teams.ListTeamHistoryAsync(request, Ana)).Entries);
    }

    [Fact]
    public async Task A_coordinators_meeting_history_has_each_step_without_revealing_ballots()
    {
        var a = await fixture.Register("History Coord A");
        var b = await fixture.Register("History Coord B");
        await fixture.CoordinatedTeam("C3", a);
        var teamB = await fixture.CoordinatedTeam("C5", b);
        var meetings = Service.Meetings;
        var convene = new V1.ConveneCoordinatorsMeetingRequest { StartsAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(60)), Venue = "Paris, UNESCO" };
        convene.Funding.Add(new V1.FundingLine { Funder = V1.Funder.Itu, Amount = new V1.Money { AmountMinor = 100, CurrencyCode = "CHF" } });
        convene.Funding.Add(new V1.FundingLine { Funder = V1.Funder.Unesco, Amount = new V1.Money { AmountMinor = 200, CurrencyCode = "EUR" } });
        var meeting = await meetings.ConveneCoordinatorsMeetingAsync(convene, Ana);
        var coordinatorB = Service.Person("coordinator-b", "Bea Coordinator", Role.Coordinator, Guid.Parse(b.Id));
        await meetings.NominateOfficerAsync(new V1.NominateOfficerRequest { MeetingId = meeting.Id, Office = V1.Office.Chair, StakeholderId = a.Id }, coordinatorB);
        var vote = new V1.CastVoteRequest { MeetingId = meeting.Id, Office = V1.Office.Chair };
        vote.CandidateIds.Add(a.Id);
        await meetings.CastVoteAsync(vote, coordinatorB);
        await meetings.CloseElectionAsync(new V1.CloseElectionRequest { MeetingId = meeting.Id }, Ana);
        await meetings.SetImplementationFrameworkAsync(new V1.SetImplementationFrameworkRequest { MeetingId = meeting.Id, Text = "The framework." }, Ana);
        var procedures = new V1.SetStocktakingProceduresRequest { MeetingId = meeting.Id, Year = DateTime.UtcNow.Year + 1, ContributionDeadline = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(90)) };
        procedures.RequiredFields.Add("title");
        await meetings.SetStocktakingProceduresAsync(procedures, Ana);

        var history = (await meetings.ListCoordinatorsMeetingHistoryAsync(new V1.ListCoordinatorsMeetingHistoryRequest { MeetingId = meeting.Id }, Ana)).Entries;

        Assert.Equal(
            [
                ("CoordinatorsMeetingConvened", "Ana Secretariat"),
                ("OfficerNominated", "Bea Coordinator"),
                ("VoteCast", "Bea Coordinator"),
                ("ElectionClosed", "Ana Secretariat"),
                ("ImplementationFrameworkSet", "Ana Secretariat"),
                ("StocktakingProceduresSet", "Ana Secretariat"),
            ],
            history.Select(h => (h.Action, h.ActorName)).ToList());
        Assert.Contains("UNESCO", history[0].Detail);
        // The ballot names its team, not its candidate: tallies are for the closed election.
        Assert.Equal($"team {teamB.Id} cast its CHAIR ballot", history[2].Detail);
        Assert.Contains($"chair: stakeholder {a.Id}", history[3].Detail);
    }
}
