using Platform.Messaging;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Platform.Security;
using Wsis.Reporting.Data;
using Wsis.Reporting.IntegrationEvents;
using Wsis.Reporting.Model;
using V1 = Wsis.Reporting.V1;

namespace Wsis.Reporting.Grpc;

/// <summary>reporting.v1.Stocktaking: contributions to the global stocktaking, national reports, the inventory.</summary>
public sealed partial class StocktakingService(ReportingDbContext db, TimeProvider time, ILogger<StocktakingService> logger)
    : V1.Stocktaking.StocktakingBase
{
    [Authorize(Policy = Policies.Coordinator)]
    public override async Task<V1.Contribution> SubmitContribution(V1.SubmitContributionRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller().RequireAuthenticated();
        var key = IdempotencyKey.ForCall(request.RequestId, context, caller);
        return await IdempotencyStore.ExecuteOnceAsync(db, key, V1.Contribution.Parser, async ct =>
        {
            var draft = Mapping.ToDraft(request);
            var coordination = new CoordinationRegister(
                await db.TeamCoordinations.AsNoTracking().Where(t => t.TeamId == draft.TeamId).ToListAsync(ct));
            var procedures = await db.ProceduresAsync(draft.Year, ct);
            var contribution = Contribution.Submit(draft, Mapping.ActorOf(caller), coordination, procedures, Mapping.Now(time));
            db.Contributions.Add(contribution);
            db.AddIntegrationEvent(ReportingEventFactory.Submitted(contribution), contribution.TeamId);
            LogContributionAccepted(logger, contribution.ContributionId, contribution.TeamId, contribution.Year, contribution.Entries.Count);
            return Mapping.ToMessage(contribution);
        }, context.CancellationToken);
    }

    [Authorize(Policy = Policies.MemberState)]
    public override async Task<V1.NationalReport> SubmitNationalReport(V1.SubmitNationalReportRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller().RequireAuthenticated();
        var key = IdempotencyKey.ForCall(request.RequestId, context, caller);
        return await IdempotencyStore.ExecuteOnceAsync(db, key, V1.NationalReport.Parser, async ct =>
        {
            var draft = Mapping.ToDraft(request);
            var country = CountryCode.TryParse(draft.CountryCode, out var code) ? code.Value.Value : null;
            // A concurrent second report that passes this check is refused by the unique (country, year)
            // index: ABORTED, and the retry reads ALREADY_EXISTS here.
            var alreadySubmitted = country is not null && await db.NationalReports.AnyAsync(r => r.CountryCode == country && r.Year == draft.Year, ct);
            var report = NationalReport.Submit(draft, Mapping.ActorOf(caller), Mapping.Now(time), alreadySubmitted);
            db.NationalReports.Add(report);
            db.AddIntegrationEvent(ReportingEventFactory.Submitted(report), report.CountryCode);
            LogNationalReportAccepted(logger, report.NationalReportId, report.CountryCode, report.Year);
            return Mapping.ToMessage(report);
        }, context.CancellationToken);
    }

    [AllowAnonymous]
    public override async Task<V1.ListInventoryResponse> ListInventory(V1.ListInventoryRequest request, ServerCallContext context)
    {
        var query = Mapping.ToQuery(request);
        InventorySearch.Check(query);
        var page = Paging.ReadOffset(request.PageSize, request.PageToken);

        // Year narrows in the database; codes live in JSON columns and text needs accent-insensitive
        // matching, so those filters run here on the (small) remainder.
        var candidates = db.InventoryEntries.AsNoTracking();
        if (query.Year is { } year) candidates = candidates.Where(e => e.Year == year);
        var matches = InventorySearch.Filter(await candidates.ToListAsync(context.CancellationToken), query).ToList();
        var slice = matches.Skip(page.Offset).Take(page.Size).ToList();
        return new V1.ListInventoryResponse
        {
            Entries = { slice.Select(Mapping.ToMessage) },
            NextPageToken = page.NextAt(slice.Count, matches.Count),
            TotalCount = matches.Count,
        };
    }

    [AllowAnonymous]
    public override async Task<V1.InventoryEntry> GetInventoryEntry(V1.GetInventoryEntryRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.Id)) throw DomainException.InvalidArgument("id is required: the inventory entry's id (a UUID)");
        if (!Guid.TryParse(request.Id, out var id))
            throw DomainException.InvalidArgument($"id '{FieldText(request.Id)}' is not an inventory entry id (a UUID)");
        var entry = await db.InventoryEntries.AsNoTracking().SingleOrDefaultAsync(e => e.EntryId == id, context.CancellationToken)
            ?? throw DomainException.NotFound($"inventory entry {id} does not exist");
        return Mapping.ToMessage(entry);
    }

    /// <summary>What the caller sent, short and printable, to name it in an error.</summary>
    private static string FieldText(string value) =>
        new string(value.Take(64).Select(c => char.IsControl(c) ? '?' : c).ToArray()) + (value.Length > 64 ? "…" : "");

    [AllowAnonymous]
    public override async Task<V1.ListContributionsResponse> ListContributions(V1.ListContributionsRequest request, ServerCallContext context)
    {
        var page = Paging.ReadOffset(request.PageSize, request.PageToken);
        var q = db.Contributions.AsNoTracking().Include(c => c.Entries).AsQueryable();
        if (request.Year != 0) q = q.Where(c => c.Year == request.Year);
        if (!string.IsNullOrWhiteSpace(request.TeamId)) q = q.Where(c => c.TeamId == request.TeamId.Trim());
        // Instants are ordered here, not in SQL: SQLite cannot order date-time-offset columns.
        var all = (await q.ToListAsync(context.CancellationToken))
            .OrderByDescending(c => c.Year).ThenBy(c => c.SubmittedAt).ThenBy(c => c.ContributionId).ToList();
        var slice = all.Skip(page.Offset).Take(page.Size).ToList();
        return new V1.ListContributionsResponse
        {
            Contributions = { slice.Select(Mapping.ToMessage) },
            NextPageToken = page.NextAt(slice.Count, all.Count),
        };
    }

    [AllowAnonymous]
    public override async Task<V1.ListNationalReportsResponse> ListNationalReports(V1.ListNationalReportsRequest request, ServerCallContext context)
    {
        var page = Paging.ReadOffset(request.PageSize, request.PageToken);
        var q = db.NationalReports.AsNoTracking();
        if (request.Year != 0) q = q.Where(r => r.Year == request.Year);
        if (!string.IsNullOrWhiteSpace(request.CountryCode))
        {
            var country = request.CountryCode.Trim().ToUpperInvariant();
            q = q.Where(r => r.CountryCode == country);
        }
        var all = (await q.ToListAsync(context.CancellationToken))
            .OrderByDescending(r => r.Year).ThenBy(r => r.CountryCode, StringComparer.Ordinal).ToList();
        var slice = all.Skip(page.Offset).Take(page.Size).ToList();
        return new V1.ListNationalReportsResponse
        {
            Reports = { slice.Select(Mapping.ToMessage) },
            NextPageToken = page.NextAt(slice.Count, all.Count),
        };
    }

    [LoggerMessage(EventId = 7101, Level = LogLevel.Information, Message = "Contribution {ContributionId} accepted for team {TeamId}, year {Year}, {EntryCount} entries")]
    private static partial void LogContributionAccepted(ILogger logger, Guid contributionId, string teamId, int year, int entryCount);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Information, Message = "National report {NationalReportId} accepted for {CountryCode}, year {Year}")]
    private static partial void LogNationalReportAccepted(ILogger logger, Guid nationalReportId, string countryCode, int year);
}
