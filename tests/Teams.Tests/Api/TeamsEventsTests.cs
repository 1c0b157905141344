using Google.Protobuf.WellKnownTypes;
using Wsis.Contracts.Events;
using V1 = Wsis.Teams.V1;

namespace Wsis.Teams.Tests.Api;

/// <summary>Every event of API.md that Teams raises reaches a consumer on another bus host, through RabbitMQ.</summary>
public sealed class TeamsEventsTests(TeamsApiFixture fixture) : IClassFixture<TeamsApiFixture>
{
    private TeamsServiceHost Service => fixture.Service;
    private EventConsumerHost Consumer => fixture.Consumer;

    [Fact]
    public async Task Each_change_is_published_once_committed()
    {
        var coordinator = await fixture.Register("Event Coordinator", country: "CH");
        var registered = await Consumer.WaitFor<StakeholderRegistered>(e => e.StakeholderId == coordinator.Id);
        Assert.Equal(("Event Coordinator", "INTERGOVERNMENTAL_ORGANIZATION", "CH"), (registered.Name, registered.Category, registered.CountryCode));

        var team = await fixture.CreateTeam("C7.E-LEARNING");
        var created = await Consumer.WaitFor<TeamCreated>(e => e.TeamId == team.Id);
        Assert.Equal(("C7.E-LEARNING", "E-learning"), (created.ActionLineCode, created.ActionLineTitle));

        await Service.Teams.JoinTeamAsync(new V1.JoinTeamRequest { TeamId = team.Id, StakeholderId = coordinator.Id }, Service.StakeholderOf(Guid.Parse(coordinator.Id)));
        await Service.Teams.LeaveTeamAsync(new V1.LeaveTeamRequest { TeamId = team.Id, StakeholderId = coordinator.Id }, Service.Secretariat);
        Assert.Equal("stakeholder-" + coordinator.Id[..8], (await Consumer.WaitFor<TeamMembershipChanged>(e => e.TeamId == team.Id && e.Change == "JOINED")).Actor);
        Assert.Equal("secretariat-officer", (await Consumer.WaitFor<TeamMembershipChanged>(e => e.TeamId == team.Id && e.Change == "LEFT")).Actor);

        var coordinatedTeam = await fixture.CoordinatedTeam("C7.E-BUSINESS", coordinator);
        var designated = await Consumer.WaitFor<CoordinatorDesignated>(e => e.TeamId == coordinatedTeam.Id);
        Assert.Equal((coordinator.Id, "Event Coordinator", "C7.E-BUSINESS", null), (designated.StakeholderId, designated.StakeholderName, designated.ActionLineCode, designated.PreviousStakeholderId));

        var convene = new V1.ConveneCoordinatorsMeetingRequest { StartsAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(30)), Venue = "Paris, UNESCO", ViceChairSeats = 3 };
        convene.Funding.Add(new V1.FundingLine { Funder = V1.Funder.Itu, Amount = new V1.Money { AmountMinor = 100, CurrencyCode = "CHF" } });
        convene.Funding.Add(new V1.FundingLine { Funder = V1.Funder.Unesco, Amount = new V1.Money { AmountMinor = 100, CurrencyCode = "EUR" } });
        var meeting = await Service.Meetings.ConveneCoordinatorsMeetingAsync(convene, Service.Secretariat);
        var convened = await Consumer.WaitFor<CoordinatorsMeetingConvened>(e => e.MeetingId == meeting.Id);
        Assert.Equal(("Paris, UNESCO", 3), (convened.Venue, convened.ViceChairSeats));

        await Service.Meetings.NominateOfficerAsync(new V1.NominateOfficerRequest { MeetingId = meeting.Id, Office = V1.Office.Chair, StakeholderId = coordinator.Id }, Service.Secretariat);
        var ballot = new V1.CastVoteRequest { MeetingId = meeting.Id, Office = V1.Office.Chair };
        ballot.CandidateIds.Add(coordinator.Id);
        await Service.Meetings.CastVoteAsync(ballot, Service.CoordinatorOf(Guid.Parse(coordinator.Id)));
        await Service.Meetings.CloseElectionAsync(new V1.CloseElectionRequest { MeetingId = meeting.Id }, Service.Secretariat);
        var elected = await Consumer.WaitFor<OfficersElected>(e => e.MeetingId == meeting.Id);
        Assert.Equal((coordinator.Id, false), (elected.ChairStakeholderId, elected.TieReported));

        var procedures = new V1.SetStocktakingProceduresRequest { MeetingId = meeting.Id, Year = 2027, ContributionDeadline = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(90)) };
        procedures.RequiredFields.AddRange(["title", "url"]);
        await Service.Meetings.SetStocktakingProceduresAsync(procedures, Service.CoordinatorOf(Guid.Parse(coordinator.Id)));
        var set = await Consumer.WaitFor<StocktakingProceduresSet>(e => e.MeetingId == meeting.Id);
        Assert.Equal(2027, set.Year);
        Assert.Equal(["title", "url"], set.RequiredFields);
    }

    [Fact]
    public async Task A_refused_change_publishes_nothing()
    {
        var before = await fixture.Register("Quiet Org", country: "CH");
        await Consumer.WaitFor<StakeholderRegistered>(e => e.StakeholderId == before.Id);
        await TeamsApiFixture.Refused(global::Grpc.Core.StatusCode.InvalidArgument, async () =>
            await Service.Stakeholders.RegisterStakeholderAsync(new V1.RegisterStakeholderRequest { Name = "Refused Org", Category = V1.StakeholderCategory.Government, CountryCode = "QQ", ContactEmail = "a@b.example" }, Service.Secretariat));
        var after = await fixture.Register("Later Org", country: "CH");
        // Had the refused request left an event behind, it would have been dispatched before the later one.
        await Consumer.WaitFor<StakeholderRegistered>(e => e.StakeholderId == after.Id);
        await Assert.ThrowsAsync<TimeoutException>(() => Consumer.WaitFor<StakeholderRegistered>(e => e.Name == "Refused Org", TimeSpan.FromSeconds(1)));
    }
}
