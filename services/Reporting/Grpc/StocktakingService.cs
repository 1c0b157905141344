using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Platform.Security;
using V1 = Wsis.Reporting.V1;
using Wsis.Contracts.Events;
using Wsis.Reporting.Data;
using Wsis.Reporting.IntegrationEvents;
using Wsis.Reporting.Model;

namespace Wsis.Reporting.Grpc;

/// <summary>reporting.v1.Stocktaking: contributions to the global stocktaking, national reports, the inventory.</summary>
public sealed partial class StocktakingService(ReportingDbContext db, TimeProvider time, ILogger<StocktakingService> logger)
    : V1.Stocktaking.StocktakingBase
{
    [Authorize(Policy = Policies.Coordinator)]
    public override async Task<V1.Contribution> SubmitContribution(V1.SubmitContributionRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller().RequireAuthenticated();
        var key = Key(request.RequestId, context, caller);
        var ct = context.CancellationToken;
        return await IdempotencyStore.ExecuteOnceAsync(db, key, V1.Contribution.Parser, async _ =>
        {
            var draft = new ContributionDraft(request.TeamId.Trim(), request.Year, request.Entries.Select(e => e.ToDraft()).ToList());
            var coordination = new CoordinationRegister(
                await db.TeamCoordinations.AsNoTracking().Where(t => t.TeamId == draft.TeamId).ToListAsync(ct));
            var procedures = await db.ProceduresAsync(draft.Year, ct);
            var now = time.GetUtcNow();
            RpcErrors.ThrowIfAny(ContributionRules.Validate(draft, caller.ToModel(), coordination, procedures, now));

            var contribution = ContributionRules.Accept(draft, Guid.NewGuid(), coordination.Find(draft.TeamId)!, now, Guid.NewGuid);
            db.Contributions.Add(contribution);
            ReportingOutbox.Raise(db, new ContributionSubmitted
            {
                EventId = Guid.NewGuid(),
                OccurredAt = now,
                ContributionId = contribution.ContributionId.ToString(),
                TeamId = contribution.TeamId,
                Year = contribution.Year,
                EntryCount = contribution.Entries.Count,
            }, contribution.TeamId);
            LogContributionAccepted(logger, contribution.ContributionId, contribution.TeamId, contribution.Year, contribution.Entries.Count);
            return contribution.ToProto();
        }, ct);
    }

    [Authorize(Policy = Policies.MemberState)]
    public override async Task<V1.NationalReport> SubmitNationalReport(V1.SubmitNationalReportRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller().RequireAuthenticated();
        var key = Key(request.RequestId, context, caller);
        var ct = context.CancellationToken;
        try
        {
            return await IdempotencyStore.ExecuteOnceAsync(db, key, V1.NationalReport.Parser, async _ =>
            {
                var draft = new NationalReportDraft(request.CountryCode.Trim().ToUpperInvariant(), request.Year, request.Text,
                    request.Activities.Select(a => new NationalActivityDraft(a.Title, a.Description, a.ActionLineCodes)).ToList());
                var exists = await db.NationalReports.AnyAsync(r => r.CountryCode == draft.CountryCode && r.Year == draft.Year, ct);
                var now = time.GetUtcNow();
                RpcErrors.ThrowIfAny(NationalReportRules.Validate(draft, caller.ToModel(), now, exists));

                var report = NationalReportRules.Accept(draft, Guid.NewGuid(), caller.ToModel(), now);
                db.NationalReports.Add(report);
                ReportingOutbox.Raise(db, new NationalReportSubmitted
                {
                    EventId = Guid.NewGuid(),
                    OccurredAt = now,
                    ReportId = report.NationalReportId.ToString(),
                    CountryCode = report.CountryCode,
                    Year = report.Year,
                }, report.CountryCode);
                return report.ToProto();
            }, ct);
        }
        catch (DbUpdateException)
        {
            // The unique (country, year) index refused a concurrent second report; any other
            // failure is not the caller's to fix and propagates.
            db.ChangeTracker.Clear();
            var country = request.CountryCode.Trim().ToUpperInvariant();
            if (!await db.NationalReports.AnyAsync(r => r.CountryCode == country && r.Year == request.Year, ct)) throw;
            throw new RpcException(new Status(StatusCode.AlreadyExists,
                $"year: a national report for {country} and {request.Year} has already been submitted"));
        }
    }

    [AllowAnonymous]
    public override async Task<V1.ListInventoryResponse> ListInventory(V1.ListInventoryRequest request, ServerCallContext context)
    {
        var query = new InventoryQuery(
            request.Year == 0 ? null : request.Year,
            NullIfBlank(request.ActionLineCode),
            NullIfBlank(request.CountryCode),
            NullIfBlank(request.Text));
        if (InventorySearch.Problems(query) is { Count: > 0 } problems)
            throw new RpcException(new Status(StatusCode.InvalidArgument, string.Join("; ", problems)));
        var (offset, size) = Paging.Read(request.PageToken, request.PageSize);

        // Year narrows in the database; codes live in JSON columns and text needs accent-insensitive
        // matching, so those filters run here on the (small) remainder.
        var candidates = db.InventoryEntries.AsNoTracking();
        if (query.Year is { } year) candidates = candidates.Where(e => e.Year == year);
        var matches = InventorySearch.Filter(await candidates.ToListAsync(context.CancellationToken), query).ToList();

        return new V1.ListInventoryResponse
        {
            Entries = { matches.Skip(offset).Take(size).Select(e => e.ToProto()) },
            NextPageToken = Paging.Next(offset, size, matches.Count),
            TotalCount = matches.Count,
        };
    }

    [AllowAnonymous]
    public override async Task<V1.ListContributionsResponse> ListContributions(V1.ListContributionsRequest request, ServerCallContext context)
    {
        var (offset, size) = Paging.Read(request.PageToken, request.PageSize);
        var q = db.Contributions.AsNoTracking().Include(c => c.Entries).AsQueryable();
        if (request.Year != 0) q = q.Where(c => c.Year == request.Year);
        if (!string.IsNullOrWhiteSpace(request.TeamId)) q = q.Where(c => c.TeamId == request.TeamId.Trim());
        var all = (await q.ToListAsync(context.CancellationToken))
            .OrderByDescending(c => c.Year).ThenBy(c => c.SubmittedAt.UtcDateTime).ThenBy(c => c.ContributionId).ToList();
        return new V1.ListContributionsResponse
        {
            Contributions = { all.Skip(offset).Take(size).Select(c => c.ToProto()) },
            NextPageToken = Paging.Next(offset, size, all.Count),
        };
    }

    [AllowAnonymous]
    public override async Task<V1.ListNationalReportsResponse> ListNationalReports(V1.ListNationalReportsRequest request, ServerCallContext context)
    {
        var (offset, size) = Paging.Read(request.PageToken, request.PageSize);
        var q = db.NationalReports.AsNoTracking();
        if (request.Year != 0) q = q.Where(r => r.Year == request.Year);
        if (!string.IsNullOrWhiteSpace(request.CountryCode))
        {
            var country = request.CountryCode.Trim().ToUpperInvariant();
            q = q.Where(r => r.CountryCode == country);
        }
        var all = (await q.ToListAsync(context.CancellationToken))
            .OrderByDescending(r => r.Year).ThenBy(r => r.CountryCode, StringComparer.Ordinal).ToList();
        return new V1.ListNationalReportsResponse
        {
            Reports = { all.Skip(offset).Take(size).Select(r => r.ToProto()) },
            NextPageToken = Paging.Next(offset, size, all.Count),
        };
    }

    internal static IdempotencyKey? Key(string requestId, ServerCallContext context, Platform.Security.Caller caller) =>
        IdempotencyKey.ForCall(requestId, context, caller);

    private static string? NullIfBlank(string s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    [LoggerMessage(EventId = 7101, Level = LogLevel.Information, Message = "Contribution {ContributionId} accepted for team {TeamId}, year {Year}, {EntryCount} entries")]
    private static partial void LogContributionAccepted(ILogger logger, Guid contributionId, string teamId, int year, int entryCount);
}
