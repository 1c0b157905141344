using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using V1 = Wsis.Teams.V1;

namespace Wsis.Teams.Tests.Api;

public sealed class TeamsApiTests(TeamsApiFixture fixture) : IClassFixture<TeamsApiFixture>
{
    private TeamsServiceHost Service => fixture.Service;
    private V1.Teams.TeamsClient Teams => fixture.Service.Teams;

    [Fact]
    public async Task Action_lines_are_public_and_seeded_with_their_titles()
    {
        var lines = (await Teams.ListActionLinesAsync(new V1.ListActionLinesRequest())).ActionLines;
        Assert.Equal(19, lines.Count);
        Assert.Equal("C1", lines[0].Code);
        Assert.Equal("The role of public governance authorities and all stakeholders in the promotion of ICTs for development", lines[0].Title);
        Assert.Equal(8, lines.Count(l => l.ParentCode == "C7"));
        Assert.Contains(lines, l => l.Code == "C7.E-SCIENCE" && l.Title == "E-science");
    }

    [Fact]
    public async Task Only_the_secretariat_creates_teams_and_only_one_per_line()
    {
        var member = await fixture.Register("Creator Test Org");
        var error = await TeamsApiFixture.Refused(StatusCode.PermissionDenied, async () =>
            await Teams.CreateTeamAsync(new V1.CreateTeamRequest { ActionLineCode = "C1" }, Service.StakeholderOf(Guid.Parse(member.Id))));
        Assert.Contains("secretariat", error.Status.Detail);
        await TeamsApiFixture.Refused(StatusCode.Unauthenticated, async () => await Teams.CreateTeamAsync(new V1.CreateTeamRequest { ActionLineCode = "C1" }));

        var team = await Teams.CreateTeamAsync(new V1.CreateTeamRequest { ActionLineCode = "c1", RequestId = "create-c1" }, Service.Secretariat);
        Assert.Equal(("C1", V1.DesignationState.NoCoordinator), (team.ActionLineCode, team.DesignationState));
        Assert.Equal(team.Id, (await Teams.CreateTeamAsync(new V1.CreateTeamRequest { ActionLineCode = "C1", RequestId = "create-c1" }, Service.Secretariat)).Id);
        error = await TeamsApiFixture.Refused(StatusCode.AlreadyExists, async () => await fixture.CreateTeam("C1"));
        Assert.Contains("C1", error.Status.Detail);

        error = await TeamsApiFixture.Refused(StatusCode.InvalidArgument, async () => await fixture.CreateTeam("C42"));
        Assert.StartsWith("action_line_code", error.Status.Detail);
    }

    [Fact]
    public async Task Who_may_call_is_checked_before_the_request_is_read()
    {
        // An empty request from a caller without the role is refused for the role, not for the
        // missing field: a refused caller learns nothing about what the method would accept.
        var member = await fixture.Register("Empty Request Org");
        var error = await TeamsApiFixture.Refused(StatusCode.PermissionDenied, async () =>
            await Teams.CreateTeamAsync(new V1.CreateTeamRequest(), Service.StakeholderOf(Guid.Parse(member.Id))));
        Assert.Equal("teams.v1.Teams/CreateTeam may be called only by the secretariat (role secretariat)", error.Status.Detail);

        error = await TeamsApiFixture.Refused(StatusCode.Unauthenticated, async () => await Teams.CreateTeamAsync(new V1.CreateTeamRequest()));
        Assert.StartsWith("a bearer token is required", error.Status.Detail);

        // The secretariat gets past the door, and the field is named.
        error = await TeamsApiFixture.Refused(StatusCode.InvalidArgument, async () => await Teams.CreateTeamAsync(new V1.CreateTeamRequest(), Service.Secretariat));
        Assert.StartsWith("action_line_code", error.Status.Detail);
    }

    [Fact]
    public async Task Concurrent_creations_for_one_line_make_exactly_one_team()
    {
        var attempts = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            try
            {
                await fixture.CreateTeam("C4");
                return StatusCode.OK;
            }
            catch (RpcException e)
            {
                return e.StatusCode;
            }
        }));

        Assert.Single(attempts, s => s == StatusCode.OK);
        Assert.All(attempts.Where(s => s != StatusCode.OK), s => Assert.Equal(StatusCode.AlreadyExists, s));
        var all = await Teams.ListTeamsAsync(new V1.ListTeamsRequest { PageSize = 100 });
        Assert.Single(all.Teams, t => t.ActionLineCode == "C4");
    }

    [Fact]
    public async Task Teams_are_open_joins_and_leaves_are_recorded_and_nobody_joins_for_someone_else()
    {
        var team = await fixture.CreateTeam("C2");
        var isoc = await fixture.Register("Open Society Net", V1.StakeholderCategory.CivilSociety, "US");
        var other = await fixture.Register("Another Org", V1.StakeholderCategory.PrivateSector, "DE");
        var asIsoc = Service.StakeholderOf(Guid.Parse(isoc.Id));

        var error = await TeamsApiFixture.Refused(StatusCode.PermissionDenied, async () =>
            await Teams.JoinTeamAsync(new V1.JoinTeamRequest { TeamId = team.Id, StakeholderId = other.Id }, asIsoc));
        Assert.Contains("only for itself", error.Status.Detail);

        var joined = await Teams.JoinTeamAsync(new V1.JoinTeamRequest { TeamId = team.Id, StakeholderId = isoc.Id }, asIsoc);
        var member = Assert.Single(joined.Members);
        Assert.Equal(("Open Society Net", "stakeholder-" + isoc.Id[..8]), (member.StakeholderName, member.JoinedBy));
        await TeamsApiFixture.Refused(StatusCode.AlreadyExists, async () =>
            await Teams.JoinTeamAsync(new V1.JoinTeamRequest { TeamId = team.Id, StakeholderId = isoc.Id }, asIsoc));
        await Teams.JoinTeamAsync(new V1.JoinTeamRequest { TeamId = team.Id, StakeholderId = other.Id }, Service.Secretariat);

        var left = await Teams.LeaveTeamAsync(new V1.LeaveTeamRequest { TeamId = team.Id, StakeholderId = isoc.Id }, asIsoc);
        Assert.Equal([other.Id], left.Members.Select(m => m.StakeholderId));
        await TeamsApiFixture.Refused(StatusCode.FailedPrecondition, async () =>
            await Teams.LeaveTeamAsync(new V1.LeaveTeamRequest { TeamId = team.Id, StakeholderId = isoc.Id }, asIsoc));
        await TeamsApiFixture.Refused(StatusCode.NotFound, async () =>
            await Teams.JoinTeamAsync(new V1.JoinTeamRequest { TeamId = team.Id, StakeholderId = Guid.NewGuid().ToString() }, Service.Secretariat));
        error = await TeamsApiFixture.Refused(StatusCode.InvalidArgument, async () =>
            await Teams.JoinTeamAsync(new V1.JoinTeamRequest { TeamId = "", StakeholderId = isoc.Id }, Service.Secretariat));
        Assert.Equal("team_id is required", error.Status.Detail);
    }

    [Fact]
    public async Task Designation_follows_its_steps_and_a_new_designation_ends_the_previous_one()
    {
        var team = await fixture.CreateTeam("C3");
        var unesco = await fixture.Register("UNESCO Test", country: "FR");
        var itu = await fixture.Register("ITU Test");

        await Teams.NominateCoordinatorAsync(new V1.NominateCoordinatorRequest { TeamId = team.Id, StakeholderId = unesco.Id }, Service.Secretariat);
        var error = await TeamsApiFixture.Refused(StatusCode.FailedPrecondition, async () =>
            await Teams.RecordCoordinatorDesignationAsync(new V1.RecordCoordinatorDesignationRequest { TeamId = team.Id, StakeholderId = unesco.Id, DecisionReference = "SG/1" }, Service.Secretariat));
        Assert.StartsWith("recommendation missing", error.Status.Detail);
        error = await TeamsApiFixture.Refused(StatusCode.FailedPrecondition, async () =>
            await Teams.RecordCoordinatorRecommendationAsync(new V1.RecordCoordinatorRecommendationRequest { TeamId = team.Id, StakeholderId = itu.Id, MeetingReference = "M1" }, Service.Secretariat));
        Assert.StartsWith("nomination missing", error.Status.Detail);
        await TeamsApiFixture.Refused(StatusCode.PermissionDenied, async () =>
            await Teams.RecordCoordinatorRecommendationAsync(new V1.RecordCoordinatorRecommendationRequest { TeamId = team.Id, StakeholderId = unesco.Id, MeetingReference = "M1" }, Service.CoordinatorOf(Guid.Parse(unesco.Id))));

        var recommended = await Teams.RecordCoordinatorRecommendationAsync(new V1.RecordCoordinatorRecommendationRequest { TeamId = team.Id, StakeholderId = unesco.Id, MeetingReference = "M1" }, Service.Secretariat);
        Assert.Equal((V1.DesignationState.Recommended, unesco.Id), (recommended.DesignationState, recommended.PendingStakeholderId));
        var designated = await Teams.RecordCoordinatorDesignationAsync(new V1.RecordCoordinatorDesignationRequest { TeamId = team.Id, StakeholderId = unesco.Id, DecisionReference = "SG/1" }, Service.Secretariat);
        Assert.Equal((V1.DesignationState.Designated, unesco.Id, ""), (designated.DesignationState, designated.CoordinatorStakeholderId, designated.PendingStakeholderId));

        await Teams.NominateCoordinatorAsync(new V1.NominateCoordinatorRequest { TeamId = team.Id, StakeholderId = itu.Id }, Service.Secretariat);
        await Teams.RecordCoordinatorRecommendationAsync(new V1.RecordCoordinatorRecommendationRequest { TeamId = team.Id, StakeholderId = itu.Id, MeetingReference = "M2" }, Service.Secretariat);
        await Teams.RecordCoordinatorDesignationAsync(new V1.RecordCoordinatorDesignationRequest { TeamId = team.Id, StakeholderId = itu.Id, DecisionReference = "SG/2" }, Service.Secretariat);

        var fetched = await Teams.GetTeamAsync(new V1.GetTeamRequest { Id = team.Id });
        Assert.Equal(itu.Id, fetched.CoordinatorStakeholderId);
        Assert.Equal(
            [(unesco.Id, V1.DesignationState.Nominated), (unesco.Id, V1.DesignationState.Recommended), (unesco.Id, V1.DesignationState.Designated),
             (itu.Id, V1.DesignationState.Nominated), (itu.Id, V1.DesignationState.Recommended), (itu.Id, V1.DesignationState.Designated)],
            fetched.DesignationHistory.Select(s => (s.StakeholderId, s.State)));
        Assert.Equal(2, fetched.Designations.Count);
        Assert.NotNull(fetched.Designations.Single(d => d.StakeholderId == unesco.Id).EndedAt);
        Assert.Null(fetched.Designations.Single(d => d.StakeholderId == itu.Id).EndedAt);
    }

    [Fact]
    public async Task The_designated_coordinator_sets_versioned_modalities_and_schedules_open_meetings()
    {
        var coordinator = await fixture.Register("WHO Test");
        var team = await fixture.CoordinatedTeam("C7.E-HEALTH", coordinator);
        var asCoordinator = Service.CoordinatorOf(Guid.Parse(coordinator.Id));
        var outsider = await fixture.Register("Clinic Network", V1.StakeholderCategory.CivilSociety, "GH");

        await TeamsApiFixture.Refused(StatusCode.PermissionDenied, async () =>
            await Teams.SetCoordinationModalitiesAsync(new V1.SetCoordinationModalitiesRequest { TeamId = team.Id, Text = "x" }, Service.CoordinatorOf(Guid.Parse(outsider.Id))));
        await Teams.SetCoordinationModalitiesAsync(new V1.SetCoordinationModalitiesRequest { TeamId = team.Id, Text = "Monthly calls" }, asCoordinator);
        var updated = await Teams.SetCoordinationModalitiesAsync(new V1.SetCoordinationModalitiesRequest { TeamId = team.Id, Text = "Quarterly calls" }, asCoordinator);
        Assert.Equal((2, "Quarterly calls"), (updated.Modalities.Version, updated.Modalities.Text));
        var versions = await Teams.ListCoordinationModalitiesAsync(new V1.ListCoordinationModalitiesRequest { TeamId = team.Id });
        Assert.Equal([2, 1], versions.Versions.Select(v => v.Version));

        var starts = DateTimeOffset.UtcNow.AddDays(14);
        var schedule = new V1.ScheduleTeamMeetingRequest
        {
            TeamId = team.Id, Title = "E-health annual meeting", StartsAt = Timestamp.FromDateTimeOffset(starts),
            EndsAt = Timestamp.FromDateTimeOffset(starts.AddHours(3)), VenueOrLink = "https://meet.example/ehealth", Agenda = "1. Stocktaking",
        };
        await TeamsApiFixture.Refused(StatusCode.PermissionDenied, async () => await Teams.ScheduleTeamMeetingAsync(schedule, Service.StakeholderOf(Guid.Parse(outsider.Id))));
        var meeting = await Teams.ScheduleTeamMeetingAsync(schedule, asCoordinator);
        var badSchedule = schedule.Clone();
        badSchedule.EndsAt = Timestamp.FromDateTimeOffset(starts.AddHours(-1));
        var error = await TeamsApiFixture.Refused(StatusCode.InvalidArgument, async () => await Teams.ScheduleTeamMeetingAsync(badSchedule, asCoordinator));
        Assert.Equal("ends_at must be after starts_at", error.Status.Detail);

        // Open to all: a stakeholder that is not a member registers itself.
        var registered = await Teams.RegisterForTeamMeetingAsync(new V1.RegisterForTeamMeetingRequest { MeetingId = meeting.Id, StakeholderId = outsider.Id }, Service.StakeholderOf(Guid.Parse(outsider.Id)));
        Assert.Equal([outsider.Id], registered.RegisteredStakeholderIds);
        await TeamsApiFixture.Refused(StatusCode.AlreadyExists, async () =>
            await Teams.RegisterForTeamMeetingAsync(new V1.RegisterForTeamMeetingRequest { MeetingId = meeting.Id, StakeholderId = outsider.Id }, Service.StakeholderOf(Guid.Parse(outsider.Id))));

        var listed = await Teams.ListTeamMeetingsAsync(new V1.ListTeamMeetingsRequest { TeamId = team.Id });
        Assert.Equal("E-health annual meeting", Assert.Single(listed.Meetings).Title);
        var shown = await Teams.GetTeamAsync(new V1.GetTeamRequest { Id = team.Id });
        Assert.Equal(meeting.Id, Assert.Single(shown.Meetings).Id);
    }

    [Fact]
    public async Task Teams_list_in_action_line_order()
    {
        await fixture.CreateTeam("C11");
        await fixture.CreateTeam("C10");
        var all = await Teams.ListTeamsAsync(new V1.ListTeamsRequest { PageSize = 100 });
        var codes = all.Teams.Select(t => t.ActionLineCode).ToList();
        Assert.True(codes.IndexOf("C10") < codes.IndexOf("C11"));
        Assert.Equal("", all.NextPageToken);
    }
}
