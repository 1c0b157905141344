using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Platform.Messaging;

/// <summary>Deletes sent outbox rows and old inbox rows on a schedule; the retention is configuration.</summary>
internal sealed class MessagingPruner<TDbContext>(
    IServiceScopeFactory scopes,
    IOptionsMonitor<MessagingOptions> optionsMonitor,
    ILogger<MessagingPruner<TDbContext>> logger) : BackgroundService
    where TDbContext : DbContext
{
    private readonly MessagingOptions _options = optionsMonitor.Get(typeof(TDbContext).FullName);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.PruneInterval, stoppingToken);
                await PruneAsync(DateTime.UtcNow, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.PruneFailed(logger, _options.Endpoint!, $"{ex.GetType().Name}: {ex.Message}");
            }
        }
    }

    internal async Task<(int Outbox, int Inbox)> PruneAsync(DateTime now, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var sentBefore = now - _options.SentRetention;
        var receivedBefore = now - _options.InboxRetention;
        var outbox = await db.Set<OutboxMessage>().Where(o => o.SentAt != null && o.SentAt < sentBefore).ExecuteDeleteAsync(cancellationToken);
        var inbox = await db.Set<InboxMessage>().Where(i => i.ReceivedAt < receivedBefore).ExecuteDeleteAsync(cancellationToken);
        if (outbox + inbox > 0)
        {
            Log.Pruned(logger, _options.Endpoint!, outbox, inbox);
        }
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
