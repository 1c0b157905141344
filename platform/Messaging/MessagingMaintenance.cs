using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Data;

namespace Platform.Messaging;

/// <summary>Deletes sent outbox rows and old inbox rows on a schedule; the retention is configuration.</summary>
internal sealed class MessagingPruner<TDbContext>(
    IServiceScopeFactory scopes,
    IOptionsMonitor<MessagingOptions> optionsMonitor,
    ILogger<MessagingPruner<TDbContext>> logger) : BackgroundService
    where TDbContext : DbContext
{
    private readonly MessagingOptions _options = optionsMonitor.Get(typeof(TDbContext).FullName);

    /// <summary>The first run comes soon after start (a service restarted more often than the
    /// interval would otherwise never prune), then one every <c>PruneInterval</c>.</summary>
    internal static readonly TimeSpan FirstRunDelay = TimeSpan.FromSeconds(30);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PeriodicRuns.RunAsync(_options.PruneInterval < FirstRunDelay ? _options.PruneInterval : FirstRunDelay, _options.PruneInterval,
            ct => PruneAsync(DateTime.UtcNow, ct),
            ex => Log.PruneFailed(logger, _options.Endpoint!, $"{ex.GetType().Name}: {ex.Message}"), stoppingToken);

    internal async Task<(int Outbox, int Inbox)> PruneAsync(DateTime now, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var (outbox, inbox) = await DeleteExpiredAsync(db, now - _options.SentRetention, now - _options.InboxRetention, _options.PruneChunkSize, cancellationToken);
        if (outbox + inbox > 0)
        {
            Log.Pruned(logger, _options.Endpoint!, outbox, inbox);
        }
        return (outbox, inbox);
    }

    /// <summary>
    /// Deletes outbox rows sent before <paramref name="sentBefore"/> and inbox rows received before
    /// <paramref name="receivedBefore"/>, oldest first, at most <paramref name="chunkSize"/> rows
    /// per statement, each statement its own transaction, until one deletes fewer: a backlog of
    /// millions (the first run after a long stop) neither holds its locks nor grows the write-ahead
    /// log in one transaction. Each chunk is found through the SentAt / ReceivedAt index.
    /// </summary>
    internal static async Task<(int Outbox, int Inbox)> DeleteExpiredAsync(
        DbContext db, DateTime sentBefore, DateTime receivedBefore, int chunkSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        int outbox = 0, inbox = 0, deleted;
        do
        {
            deleted = await db.Set<OutboxMessage>().Where(o => o.SentAt != null && o.SentAt < sentBefore)
                .OrderBy(o => o.SentAt).Take(chunkSize).ExecuteDeleteAsync(cancellationToken);
            outbox += deleted;
        }
        while (deleted == chunkSize);

        do
        {
            deleted = await db.Set<InboxMessage>().Where(i => i.ReceivedAt < receivedBefore)
                .OrderBy(i => i.ReceivedAt).Take(chunkSize).ExecuteDeleteAsync(cancellationToken);
            inbox += deleted;
        }
        while (deleted == chunkSize);
        return (outbox, inbox);
    }
}

/// <summary>
/// Unhealthy while the service's database cannot be reached; healthy again by itself when it can.
/// Reports the outbox backlog (due, unsent rows) as data.
/// </summary>
internal sealed class MessagingDatabaseHealthCheck<TDbContext>(IServiceScopeFactory scopes) : IHealthCheck
    where TDbContext : DbContext
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            var backlog = await db.Set<OutboxMessage>().CountAsync(o => o.SentAt == null, timeout.Token);
            return HealthCheckResult.Healthy("database reachable", new Dictionary<string, object> { ["outbox.unsent"] = backlog });
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"database unreachable ({ex.GetType().Name})");
        }
    }
}
