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

/// <summary>teams.v1.Stakeholders: the register of organisations.</summary>
public sealed class StakeholdersService(TeamsDbContext db, TimeProvider time) : V1.Stakeholders.StakeholdersBase
{
    [Authorize(Policy = Policies.Authenticated)]
    public override async Task<V1.Stakeholder> RegisterStakeholder(V1.RegisterStakeholderRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller().RequireAuthenticated();
        var actor = Mapping.Actor(caller);
        var key = IdempotencyKey.ForCall(request.RequestId, context, caller);
        return await IdempotencyStore.ExecuteOnceAsync(db, key, V1.Stakeholder.Parser, _ =>
        {
            var stakeholder = Stakeholder.Register(request.Name, Mapping.Category(request.Category), request.CountryCode, request.ContactEmail, actor, time.GetCurrentInstant());
            db.Stakeholders.Add(stakeholder);
            db.AddIntegrationEvent(TeamsEventFactory.Registered(stakeholder), "stakeholder:" + stakeholder.Id);
            // The registrant supplied the address, so it gets it back.
            return Task.FromResult(Mapping.ToMessage(stakeholder, showContact: true));
        }, context.CancellationToken);
    }

    [AllowAnonymous]
    public override async Task<V1.Stakeholder> GetStakeholder(V1.GetStakeholderRequest request, ServerCallContext context)
    {
        var id = Text.Id(request.Id, "id");
        var stakeholder = await db.Stakeholders.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, context.CancellationToken)
            ?? throw DomainException.NotFound($"stakeholder {id} not found");
        return Mapping.ToMessage(stakeholder, stakeholder.ShowsContactTo(Mapping.Actor(context.GetCaller())));
    }

    [AllowAnonymous]
    public override async Task<V1.ListStakeholdersResponse> ListStakeholders(V1.ListStakeholdersRequest request, ServerCallContext context)
    {
        var page = Paging.ReadOffset(request.PageSize, request.PageToken);
        var query = db.Stakeholders.AsNoTracking();
        if (request.Category != V1.StakeholderCategory.Unspecified)
        {
            var category = Mapping.Category(request.Category);
            if (!Enum.IsDefined(category))
                throw DomainException.InvalidArgument("category is not a stakeholder category");
            query = query.Where(s => s.Category == category);
        }
        if (!string.IsNullOrWhiteSpace(request.CountryCode))
        {
            var country = CountryCode.Parse(request.CountryCode).Value;
            query = query.Where(s => s.CountryCode == country);
        }
        // One row past the page says whether another page follows, without counting the register.
        var items = await query.OrderBy(s => s.Id).Skip(page.Offset).Take(page.Size + 1).ToListAsync(context.CancellationToken);
        var shown = items.Take(page.Size).ToList();
        var actor = Mapping.Actor(context.GetCaller());
        var response = new V1.ListStakeholdersResponse { NextPageToken = page.NextAt(shown.Count, more: items.Count > page.Size) };
        response.Stakeholders.AddRange(shown.Select(s => Mapping.ToMessage(s, s.ShowsContactTo(actor))));
        return response;
    }
}
