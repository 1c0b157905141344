using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Platform.Data;

/// <summary>
/// Deletes <typeparamref name="TDbContext"/>'s idempotency records older than the retention, once
/// per <see cref="IdempotencyOptions.PruneInterval"/>. A failed run (the database unreachable, a
/// timeout) is logged and the next one comes an interval later.
/// </summary>
internal sealed partial class IdempotencyPruner<TDbContext>(
    IServiceScopeFactory scopes,
    IOptionsMonitor<IdempotencyOptions> optionsMonitor,
    ILogger<IdempotencyPruner<TDbContext>> logger,
    TimeProvider? time = null) : BackgroundService
    where TDbContext : DbContext
{
    private readonly IdempotencyOptions _options = optionsMonitor.Get(typeof(TDbContext).FullName);

    // The service's clock, which also stamps the records (CreatedAt).
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    // The first run comes at a random point of the first interval: the instances of one
    // service, started together, do not all delete the same rows at the same moment, and an
    // instance restarted more often than the interval still prunes.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PeriodicRuns.RunAsync(_options.PruneInterval * Random.Shared.NextDouble(), _options.PruneInterval, PruneAsync,
            ex => LogPruneFailed(logger, typeof(TDbContext).Name, $"{ex.GetType().Name}: {ex.Message}"), stoppingToken);

    private async Task PruneAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var createdBefore = _time.GetUtcNow() - _options.Retention;
        var result = await IdempotencyRetention.DeleteCreatedBeforeAsync(db, createdBefore, _options.PruneChunkSize, cancellationToken);
        if (result.Deleted > 0)
        {
            LogPruned(logger, typeof(TDbContext).Name, result.Deleted, createdBefore, result.Statements);
        }
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Idempotency records of {Context}: deleted {Count} created before {CreatedBefore:O} in {Statements} statement(s)")]
    private static partial void LogPruned(ILogger logger, string context, int count, DateTimeOffset createdBefore, int statements);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "Idempotency records of {Context}: pruning failed ({Reason}); next attempt in one interval")]
    private static partial void LogPruneFailed(ILogger logger, string context, string reason);
}
