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

/// <summary>teams.v1.CoordinatorsMeetings: the meeting of coordinators of multi-stakeholder teams, its election and its decisions.</summary>
public sealed class CoordinatorsMeetingsService(TeamsDbContext db, TimeProvider time) : V1.CoordinatorsMeetings.CoordinatorsMeetingsBase
{
    [Authorize(Policy = Policies.Secretariat)]
    public override async Task<V1.CoordinatorsMeeting> ConveneCoordinatorsMeeting(V1.ConveneCoordinatorsMeetingRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller().RequireAuthenticated();
        var actor = Mapping.Actor(caller);
        var key = IdempotencyKey.ForCall(request.RequestId, context, caller);
        return await IdempotencyStore.ExecuteOnceAsync(db, key, V1.CoordinatorsMeeting.Parser, _ =>
        {
            var funding = request.Funding.Select((line, i) =>
            {
                if (line.Amount is null)
                    throw DomainException.InvalidArgument($"funding[{i}].amount is required");
                return (Mapping.Funder(line.Funder), Money.Of(line.Amount.AmountMinor, line.Amount.CurrencyCode, $"funding[{i}].amount"));
            }).ToList();
            // 0 is proto3's "not set": the default number of seats.
            var seats = request.ViceChairSeats == 0 ? CoordinatorsMeeting.DefaultViceChairSeats : request.ViceChairSeats;
            var meeting = CoordinatorsMeeting.Convene(Mapping.ToInstant(request.StartsAt, "starts_at"), request.Venue, funding, seats, actor, time.GetCurrentInstant());
            db.CoordinatorsMeetings.Add(meeting);
            db.AddIntegrationEvent(TeamsEventFactory.Convened(meeting), "coordinators-meeting:" + meeting.Id);
            return Task.FromResult(Mapping.ToMessage(meeting));
        }, context.CancellationToken);
    }

    [Authorize(Policy = Policies.CoordinatorOrSecretariat)]
    public override async Task<V1.CoordinatorsMeeting> NominateOfficer(V1.NominateOfficerRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller().RequireAuthenticated();
        var actor = Mapping.Actor(caller);
        var key = IdempotencyKey.ForCall(request.RequestId, context, caller);
        return await IdempotencyStore.ExecuteOnceAsync(db, key, V1.CoordinatorsMeeting.Parser, async ct =>
        {
            var meeting = await LoadMeeting(request.MeetingId, "meeting_id", ct);
            var candidate = Text.Id(request.StakeholderId, "stakeholder_id");
            meeting.NominateOfficer(Mapping.Office(request.Office), candidate, await CurrentElectorate(ct), actor, time.GetCurrentInstant());
            db.Touch(meeting);
            return Mapping.ToMessage(meeting);
        }, context.CancellationToken);
    }

    [Authorize(Policy = Policies.Coordinator)]
    public override async Task<V1.CastVoteResponse> CastVote(V1.CastVoteRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller().RequireAuthenticated();
        var actor = Mapping.Actor(caller);
        var key = IdempotencyKey.ForCall(request.RequestId, context, caller);
        return await IdempotencyStore.ExecuteOnceAsync(db, key, V1.CastVoteResponse.Parser, async ct =>
        {
            var meeting = await LoadMeeting(request.MeetingId, "meeting_id", ct);
            var candidates = request.CandidateIds.Select((id, i) => Text.Id(id, $"candidate_ids[{i}]")).ToList();
            var ballot = meeting.CastVote(Mapping.Office(request.Office), candidates, await CurrentElectorate(ct), actor, time.GetCurrentInstant());
            db.Touch(meeting);
            return new V1.CastVoteResponse
            {
                MeetingId = meeting.Id.ToString(),
                Office = Mapping.Office(ballot.Office),
                TeamId = ballot.TeamId.ToString(),
                CastAt = Mapping.Ts(ballot.CastAt),
            };
        }, context.CancellationToken);
    }

    [Authorize(Policy = Policies.Secretariat)]
    public override async Task<V1.CoordinatorsMeeting> CloseElection(V1.CloseElectionRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller().RequireAuthenticated();
        var actor = Mapping.Actor(caller);
        var key = IdempotencyKey.ForCall(request.RequestId, context, caller);
        return await IdempotencyStore.ExecuteOnceAsync(db, key, V1.CoordinatorsMeeting.Parser, async ct =>
        {
            var meeting = await LoadMeeting(request.MeetingId, "meeting_id", ct);
            meeting.CloseElection(actor, time.GetCurrentInstant());
            db.Touch(meeting);
            db.AddIntegrationEvent(TeamsEventFactory.Elected(meeting), "coordinators-meeting:" + meeting.Id);
            return Mapping.ToMessage(meeting);
        }, context.CancellationToken);
    }

    [Authorize(Policy = Policies.CoordinatorOrSecretariat)]
    public override async Task<V1.CoordinatorsMeeting> SetImplementationFramework(V1.SetImplementationFrameworkRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller().RequireAuthenticated();
        var actor = Mapping.Actor(caller);
        var key = IdempotencyKey.ForCall(request.RequestId, context, caller);
        return await IdempotencyStore.ExecuteOnceAsync(db, key, V1.CoordinatorsMeeting.Parser, async ct =>
        {
            var meeting = await LoadMeeting(request.MeetingId, "meeting_id", ct);
            meeting.SetImplementationFramework(request.Text, actor, time.GetCurrentInstant());
            db.Touch(meeting);
            return Mapping.ToMessage(meeting);
        }, context.CancellationToken);
    }

    [Authorize(Policy = Policies.CoordinatorOrSecretariat)]
    public override async Task<V1.CoordinatorsMeeting> SetStocktakingProcedures(V1.SetStocktakingProceduresRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller().RequireAuthenticated();
        var actor = Mapping.Actor(caller);
        var key = IdempotencyKey.ForCall(request.RequestId, context, caller);
        return await IdempotencyStore.ExecuteOnceAsync(db, key, V1.CoordinatorsMeeting.Parser, async ct =>
        {
            var meeting = await LoadMeeting(request.MeetingId, "meeting_id", ct);
            var procedures = meeting.SetStocktakingProcedures(request.Year, Mapping.ToInstant(request.ContributionDeadline, "contribution_deadline"),
                [.. request.RequiredFields], actor, time.GetCurrentInstant());
            db.Touch(meeting);
            db.AddIntegrationEvent(TeamsEventFactory.ProceduresSet(meeting, procedures), "coordinators-meeting:" + meeting.Id);
            return Mapping.ToMessage(meeting);
        }, context.CancellationToken);
    }

    [Authorize(Policy = Policies.Secretariat)]
    public override async Task<V1.ListHistoryResponse> ListCoordinatorsMeetingHistory(V1.ListCoordinatorsMeetingHistoryRequest request, ServerCallContext context)
    {
        var page = Paging.Read(request.PageSize, request.PageToken);
        var meetingId = Text.Id(request.MeetingId, "meeting_id");
        if (!await db.CoordinatorsMeetings.AnyAsync(m => m.Id == meetingId, context.CancellationToken))
            throw DomainException.NotFound($"coordinators' meeting {meetingId} not found");
        var (entries, next) = await db.ReadHistoryAsync(HistorySubject.CoordinatorsMeeting, meetingId, page, context.CancellationToken);
        return Mapping.ToMessage(entries, next);
    }

    [AllowAnonymous]
    public override async Task<V1.CoordinatorsMeeting> GetCoordinatorsMeeting(V1.GetCoordinatorsMeetingRequest request, ServerCallContext context) =>
        Mapping.ToMessage(await LoadMeeting(request.Id, "id", context.CancellationToken, tracked: false));

    [AllowAnonymous]
    public override async Task<V1.ListCoordinatorsMeetingsResponse> ListCoordinatorsMeetings(V1.ListCoordinatorsMeetingsRequest request, ServerCallContext context)
    {
        var page = Paging.ReadOffset(request.PageSize, request.PageToken);
        // One row past the page says whether another page follows, without counting the meetings.
        var meetings = await WithDetails().AsNoTracking().OrderBy(m => m.Id).Skip(page.Offset).Take(page.Size + 1).ToListAsync(context.CancellationToken);
        var shown = meetings.Take(page.Size).ToList();
        var response = new V1.ListCoordinatorsMeetingsResponse { NextPageToken = page.NextAt(shown.Count, more: meetings.Count > page.Size) };
        response.Meetings.AddRange(shown.Select(Mapping.ToMessage));
        return response;
    }

    private IQueryable<CoordinatorsMeeting> WithDetails() =>
        db.CoordinatorsMeetings.Include(m => m.Funding).Include(m => m.Nominations).Include(m => m.Ballots).Include(m => m.StocktakingProcedures).AsSplitQuery();

    private async Task<CoordinatorsMeeting> LoadMeeting(string rawId, string field, CancellationToken ct, bool tracked = true)
    {
        var id = Text.Id(rawId, field);
        var query = tracked ? WithDetails() : WithDetails().AsNoTracking();
        return await query.SingleOrDefaultAsync(m => m.Id == id, ct) ?? throw DomainException.NotFound($"coordinators' meeting {id} not found");
    }

    /// <summary>The designated coordinator of every team, now.</summary>
    private async Task<Electorate> CurrentElectorate(CancellationToken ct)
    {
        var designated = await db.Teams.AsNoTracking().Include(t => t.Designations.Where(d => d.Stage == DesignationStage.Designated)).ToListAsync(ct);
        return Electorate.Of(designated);
    }
}
