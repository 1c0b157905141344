using Platform.Messaging;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using NodaTime.Extensions;
using Platform.Data;
using Platform.Security;
using Wsis.Teams.Data;
using Wsis.Teams.IntegrationEvents;
using Wsis.Teams.Model;
using V1 = Wsis.Teams.V1;

namespace Wsis.Teams.Grpc;

/// <summary>teams.v1.Teams: one open multi-stakeholder team per action line, its coordinator, modalities and meetings.</summary>
public sealed class TeamsService(TeamsDbContext db, TimeProvider time) : V1.Teams.TeamsBase
{
    [AllowAnonymous]
    public override async Task<V1.ListActionLinesResponse> ListActionLines(V1.ListActionLinesRequest request, ServerCallContext context)
    {
        var lines = await db.ActionLines.AsNoTracking().OrderBy(l => l.Order).ToListAsync(context.CancellationToken);
        var response = new V1.ListActionLinesResponse();
        response.ActionLines.AddRange(lines.Select(Mapping.ToMessage));
        return response;
    }

    [Authorize(Policy = Policies.Secretariat)]
    public override async Task<V1.Team> CreateTeam(V1.CreateTeamRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller().RequireAuthenticated();
        var actor = Mapping.Actor(caller);
        var key = IdempotencyKey.ForCall(request.RequestId, context, caller);
        try
        {
            return await IdempotencyStore.ExecuteOnceAsync(db, key, V1.Team.Parser, async ct =>
            {
                var line = ActionLine.ForTeam(request.ActionLineCode);
                var team = Team.Create(line, actor, time.GetCurrentInstant());
                if (await db.Teams.AnyAsync(t => t.ActionLineCode == line.Code, ct))
                    throw Team.OneTeamPerActionLine(line);
                db.Teams.Add(team);
                db.AddIntegrationEvent(TeamsEventFactory.Created(team, line), "team:" + team.Id);
                return Mapping.ToMessage(team, new Dictionary<Guid, string>(), []);
            }, context.CancellationToken);
        }
        catch (DbUpdateException)
        {
            // Lost a race with another CreateTeam for the same line: the unique index said no.
            db.ChangeTracker.Clear();
            if (ActionLine.Find(request.ActionLineCode) is { } line && await db.Teams.AnyAsync(t => t.ActionLineCode == line.Code, context.CancellationToken))
                throw Team.OneTeamPerActionLine(line);
            throw;
        }
    }

    [AllowAnonymous]
    public override async Task<V1.Team> GetTeam(V1.GetTeamRequest request, ServerCallContext context)
    {
        var team = await LoadTeam(Text.Id(request.Id, "id"), context.CancellationToken, tracked: false);
        return await Present(team, context.CancellationToken);
    }

    [AllowAnonymous]
    public override async Task<V1.ListTeamsResponse> ListTeams(V1.ListTeamsRequest request, ServerCallContext context)
    {
        var page = Paging.ReadOffset(request.PageSize, request.PageToken);
        // At most one team per action line (18), so ordering by the catalogue in memory is cheap.
        var all = await TeamsWithHistory().AsNoTracking().ToListAsync(context.CancellationToken);
        var ordered = all.OrderBy(t => ActionLine.Find(t.ActionLineCode)?.Order ?? int.MaxValue).ToList();
        var slice = ordered.Skip(page.Offset).Take(page.Size).ToList();
        var response = new V1.ListTeamsResponse { NextPageToken = page.NextAt(slice.Count, ordered.Count) };
        foreach (var team in slice)
            response.Teams.Add(await Present(team, context.CancellationToken));
        return response;
    }

    [Authorize(Policy = Policies.StakeholderOrSecretariat)]
    public override async Task<V1.Team> JoinTeam(V1.JoinTeamRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller().RequireAuthenticated();
        var actor = Mapping.Actor(caller);
        var key = IdempotencyKey.ForCall(request.RequestId, context, caller);
        return await IdempotencyStore.ExecuteOnceAsync(db, key, V1.Team.Parser, async ct =>
        {
            var team = await LoadTeam(Text.Id(request.TeamId, "team_id"), ct);
            var stakeholder = await LoadStakeholder(Text.Id(request.StakeholderId, "stakeholder_id"), ct);
            var membership = team.Join(stakeholder, actor, time.GetCurrentInstant());
            db.Touch(team);
            db.AddIntegrationEvent(TeamsEventFactory.MembershipChanged(team, membership), MembershipKey(team));
            return await Present(team, ct);
        }, context.CancellationToken);
    }

    [Authorize(Policy = Policies.StakeholderOrSecretariat)]
    public override async Task<V1.Team> LeaveTeam(V1.LeaveTeamRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller().RequireAuthenticated();
        var actor = Mapping.Actor(caller);
        var key = IdempotencyKey.ForCall(request.RequestId, context, caller);
        return await IdempotencyStore.ExecuteOnceAsync(db, key, V1.Team.Parser, async ct =>
        {
            var team = await LoadTeam(Text.Id(request.TeamId, "team_id"), ct);
            var membership = team.Leave(Text.Id(request.StakeholderId, "stakeholder_id"), actor, time.GetCurrentInstant());
            db.Touch(team);
            db.AddIntegrationEvent(TeamsEventFactory.MembershipChanged(team, membership), MembershipKey(team));
            return await Present(team, ct);
        }, context.CancellationToken);
    }

    [Authorize(Policy = Policies.Secretariat)]
    public override async Task<V1.Team> NominateCoordinator(V1.NominateCoordinatorRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller().RequireAuthenticated();
        var actor = Mapping.Actor(caller);
        var key = IdempotencyKey.ForCall(request.RequestId, context, caller);
        return await IdempotencyStore.ExecuteOnceAsync(db, key, V1.Team.Parser, async ct =>
        {
            var team = await LoadTeam(Text.Id(request.TeamId, "team_id"), ct);
            var nominee = await LoadStakeholder(Text.Id(request.StakeholderId, "stakeholder_id"), ct);
            team.NominateCoordinator(nominee, actor, time.GetCurrentInstant());
            db.Touch(team);
            return await Present(team, ct);
        }, context.CancellationToken);
    }

    [Authorize(Policy = Policies.Secretariat)]
    public override async Task<V1.Team> RecordCoordinatorRecommendation(V1.RecordCoordinatorRecommendationRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller().RequireAuthenticated();
        var actor = Mapping.Actor(caller);
        var key = IdempotencyKey.ForCall(request.RequestId, context, caller);
        return await IdempotencyStore.ExecuteOnceAsync(db, key, V1.Team.Parser, async ct =>
        {
            var team = await LoadTeam(Text.Id(request.TeamId, "team_id"), ct);
            team.RecordRecommendation(Text.Id(request.StakeholderId, "stakeholder_id"), request.MeetingReference, actor, time.GetCurrentInstant());
            db.Touch(team);
            return await Present(team, ct);
        }, context.CancellationToken);
    }

    [Authorize(Policy = Policies.Secretariat)]
    public override async Task<V1.Team> RecordCoordinatorDesignation(V1.RecordCoordinatorDesignationRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller().RequireAuthenticated();
        var actor = Mapping.Actor(caller);
        var key = IdempotencyKey.ForCall(request.RequestId, context, caller);
        return await IdempotencyStore.ExecuteOnceAsync(db, key, V1.Team.Parser, async ct =>
        {
            var team = await LoadTeam(Text.Id(request.TeamId, "team_id"), ct);
            var (designated, ended) = team.RecordDesignation(Text.Id(request.StakeholderId, "stakeholder_id"), request.DecisionReference, actor, time.GetCurrentInstant());
            db.Touch(team);
            var coordinator = await LoadStakeholder(designated.StakeholderId, ct);
            db.AddIntegrationEvent(TeamsEventFactory.Designated(team, designated, coordinator, ended), "team:" + team.Id);
            return await Present(team, ct);
        }, context.CancellationToken);
    }

    [Authorize(Policy = Policies.CoordinatorOrSecretariat)]
    public override async Task<V1.Team> SetCoordinationModalities(V1.SetCoordinationModalitiesRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller().RequireAuthenticated();
        var actor = Mapping.Actor(caller);
        var key = IdempotencyKey.ForCall(request.RequestId, context, caller);
        return await IdempotencyStore.ExecuteOnceAsync(db, key, V1.Team.Parser, async ct =>
        {
            var team = await LoadTeam(Text.Id(request.TeamId, "team_id"), ct);
            team.SetCoordinationModalities(request.Text, actor, time.GetCurrentInstant());
            db.Touch(team);
            return await Present(team, ct);
        }, context.CancellationToken);
    }

    [AllowAnonymous]
    public override async Task<V1.ListCoordinationModalitiesResponse> ListCoordinationModalities(V1.ListCoordinationModalitiesRequest request, ServerCallContext context)
    {
        var page = Paging.ReadOffset(request.PageSize, request.PageToken);
        var team = await LoadTeam(Text.Id(request.TeamId, "team_id"), context.CancellationToken, tracked: false);
        var versions = team.Modalities.OrderByDescending(m => m.Version).ToList();
        var slice = versions.Skip(page.Offset).Take(page.Size).ToList();
        var response = new V1.ListCoordinationModalitiesResponse { NextPageToken = page.NextAt(slice.Count, versions.Count) };
        response.Versions.AddRange(slice.Select(Mapping.ToMessage));
        return response;
    }

    [Authorize(Policy = Policies.CoordinatorOrSecretariat)]
    public override async Task<V1.TeamMeeting> ScheduleTeamMeeting(V1.ScheduleTeamMeetingRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller().RequireAuthenticated();
        var actor = Mapping.Actor(caller);
        var key = IdempotencyKey.ForCall(request.RequestId, context, caller);
        return await IdempotencyStore.ExecuteOnceAsync(db, key, V1.TeamMeeting.Parser, async ct =>
        {
            var team = await LoadTeam(Text.Id(request.TeamId, "team_id"), ct, tracked: false);
            var meeting = team.ScheduleMeeting(request.Title, Mapping.ToInstant(request.StartsAt, "starts_at"), Mapping.ToInstant(request.EndsAt, "ends_at"),
                request.VenueOrLink, request.Agenda, actor, time.GetCurrentInstant());
            db.TeamMeetings.Add(meeting);
            return Mapping.ToMessage(meeting);
        }, context.CancellationToken);
    }

    [Authorize(Policy = Policies.StakeholderOrSecretariat)]
    public override async Task<V1.TeamMeeting> RegisterForTeamMeeting(V1.RegisterForTeamMeetingRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller().RequireAuthenticated();
        var actor = Mapping.Actor(caller);
        var key = IdempotencyKey.ForCall(request.RequestId, context, caller);
        return await IdempotencyStore.ExecuteOnceAsync(db, key, V1.TeamMeeting.Parser, async ct =>
        {
            var meetingId = Text.Id(request.MeetingId, "meeting_id");
            var meeting = await db.TeamMeetings.Include(m => m.Registrations).SingleOrDefaultAsync(m => m.Id == meetingId, ct)
                ?? throw DomainException.NotFound($"team meeting {meetingId} not found");
            var stakeholder = await LoadStakeholder(Text.Id(request.StakeholderId, "stakeholder_id"), ct);
            meeting.Register(stakeholder, actor, time.GetCurrentInstant());
            db.Touch(meeting);
            return Mapping.ToMessage(meeting);
        }, context.CancellationToken);
    }

    [AllowAnonymous]
    public override async Task<V1.ListTeamMeetingsResponse> ListTeamMeetings(V1.ListTeamMeetingsRequest request, ServerCallContext context)
    {
        var page = Paging.ReadOffset(request.PageSize, request.PageToken);
        var teamId = Text.Id(request.TeamId, "team_id");
        if (!await db.Teams.AnyAsync(t => t.Id == teamId, context.CancellationToken))
            throw DomainException.NotFound($"team {teamId} not found");
        // Instants are sorted here, not in SQL: SQLite cannot order date-time-offset columns.
        var meetings = (await db.TeamMeetings.AsNoTracking().Include(m => m.Registrations).Where(m => m.TeamId == teamId).ToListAsync(context.CancellationToken))
            .OrderBy(m => m.StartsAt).ThenBy(m => m.Id).ToList();
        var slice = meetings.Skip(page.Offset).Take(page.Size).ToList();
        var response = new V1.ListTeamMeetingsResponse { NextPageToken = page.NextAt(slice.Count, meetings.Count) };
        response.Meetings.AddRange(slice.Select(Mapping.ToMessage));
        return response;
    }

    [Authorize(Policy = Policies.Secretariat)]
    public override async Task<V1.ListHistoryResponse> ListTeamHistory(V1.ListTeamHistoryRequest request, ServerCallContext context)
    {
        var page = Paging.Read(request.PageSize, request.PageToken);
        var teamId = Text.Id(request.TeamId, "team_id");
        if (!await db.Teams.AnyAsync(t => t.Id == teamId, context.CancellationToken))
            throw DomainException.NotFound($"team {teamId} not found");
        var (entries, next) = await db.ReadHistoryAsync(HistorySubject.Team, teamId, page, context.CancellationToken);
        return Mapping.ToMessage(entries, next);
    }

    private IQueryable<Team> TeamsWithHistory() =>
        db.Teams.Include(t => t.Memberships).Include(t => t.Designations).Include(t => t.Modalities).AsSplitQuery();

    private async Task<Team> LoadTeam(Guid id, CancellationToken ct, bool tracked = true)
    {
        var query = tracked ? TeamsWithHistory() : TeamsWithHistory().AsNoTracking();
        return await query.SingleOrDefaultAsync(t => t.Id == id, ct) ?? throw DomainException.NotFound($"team {id} not found");
    }

    private async Task<Stakeholder> LoadStakeholder(Guid id, CancellationToken ct) =>
        await db.Stakeholders.SingleOrDefaultAsync(s => s.Id == id, ct) ?? throw DomainException.NotFound($"stakeholder {id} not found");

    private async Task<V1.Team> Present(Team team, CancellationToken ct)
    {
        var memberIds = team.CurrentMembers.Select(m => m.StakeholderId).ToList();
        var names = await db.Stakeholders.AsNoTracking().Where(s => memberIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Name, ct);
        var meetings = await db.TeamMeetings.AsNoTracking().Include(m => m.Registrations).Where(m => m.TeamId == team.Id).ToListAsync(ct);
        return Mapping.ToMessage(team, names, meetings);
    }

    // Membership changes keep their own order, apart from the team's designation events: a
    // membership event nobody subscribes to yet is returned by RabbitMQ (mandatory publish) and
    // retried until a subscriber binds, and it must not hold back CoordinatorDesignated meanwhile.
    private static string MembershipKey(Team team) => "team-membership:" + team.Id;
}
