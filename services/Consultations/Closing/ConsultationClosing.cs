using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;
using Platform.Data;
using Platform.Messaging;
using Wsis.Consultations.Data;
using Wsis.Consultations.Intake;
using Wsis.Consultations.IntegrationEvents;
using Wsis.Consultations.Log;
using Wsis.Consultations.Model;
using Wsis.Contracts.Verification;

namespace Wsis.Consultations.Closing;

/// <summary>
/// Closes consultations at their deadline (<see cref="Consultation.Close"/>): CLOSED, the count and
/// the digest fixed by the log's final checkpoint (its size and root), and <c>ConsultationClosed</c>
/// raised, in one transaction.
/// </summary>
/// <remarks>
/// A conditional no-op <c>UPDATE … WHERE Status = Open AND ClosesAt &lt;= now</c> runs first: it
/// takes the consultation's row exclusively, so it waits for any submission holding the row and
/// no submission can be added after it (see <see cref="ResponseIntake"/>). Several instances may
/// run this at once; only one update matches, the others do nothing. No intake transaction holds
/// the log's head then, so the head read is final: the digest is the root (hex) of the last
/// checkpoint signed, over every published response's published hash in log order.
/// </remarks>
public sealed partial class ConsultationClosing(
    ConsultationsDbContext db, LogSigningKey signingKey, Examination.ExaminationPackages packages, TimeProvider time, ILogger<ConsultationClosing> logger)
{
    private Instant Now => Instant.FromDateTimeOffset(time.GetUtcNow());

    /// <summary>Closes every open consultation whose deadline has passed; returns how many it closed.</summary>
    public async Task<int> CloseDueAsync(CancellationToken cancellationToken)
    {
        var now = Now;
        var due = await db.Consultations.AsNoTracking()
            .Where(c => c.State == ConsultationState.Open && c.ClosesAt <= now)
            .Select(c => c.Id).ToListAsync(cancellationToken);
        var closed = 0;
        foreach (var id in due)
        {
            closed += await CloseIfDueAsync(id, cancellationToken) ? 1 : 0;
        }

        return closed;
    }

    /// <summary>The next deadline of an open consultation, if any.</summary>
    public async Task<Instant?> NextDeadlineAsync(CancellationToken cancellationToken) =>
        await db.Consultations.AsNoTracking().Where(c => c.State == ConsultationState.Open)
            .OrderBy(c => c.ClosesAt).Select(c => (Instant?)c.ClosesAt).FirstOrDefaultAsync(cancellationToken);

    /// <summary>Closes the consultation if it is open and its deadline has passed; true when this call closed it.</summary>
    public async Task<bool> CloseIfDueAsync(Guid id, CancellationToken cancellationToken)
    {
        var now = Now;
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginAllOrNothingAsync(cancellationToken);
        var due = await db.Consultations
            .Where(c => c.Id == id && c.State == ConsultationState.Open && c.ClosesAt <= now)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.State, c => c.State), cancellationToken);
        if (due == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return false;
        }

        await EnterUnloggedAsync(id, now, cancellationToken);
        var final = await FinalCheckpointAsync(id, now, cancellationToken);
        var consultation = await db.Consultations.FirstAsync(c => c.Id == id, cancellationToken);
        consultation.Close(final.Size, final.Root, now);
        var byCategory = (await db.Responses.AsNoTracking()
                .Where(r => r.ConsultationId == id && r.Published)
                .Select(r => r.RespondentCategory)
                .ToListAsync(cancellationToken))
            .GroupBy(c => c.Name()).ToDictionary(g => g.Key, g => g.Count());
        db.AddIntegrationEvent(ConsultationEvents.Closed(consultation, byCategory), ConsultationEvents.AggregateKey(id));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogClosed(id, consultation.PublishedResponseCount);
        // Its results never change now: computed once and stored, before readers ask.
        packages.Closed(id);
        return true;
    }

    /// <summary>
    /// The log's final checkpoint: the one its last batch signed, or, for a log nothing entered,
    /// a checkpoint of the empty tree signed now.
    /// </summary>
    private async Task<LogCheckpoint> FinalCheckpointAsync(Guid id, Instant now, CancellationToken cancellationToken)
    {
        var size = await db.LogHeads.AsNoTracking().Where(h => h.ConsultationId == id).Select(h => (long?)h.Size).FirstOrDefaultAsync(cancellationToken) ?? 0;
        var latest = await db.LogCheckpoints.AsNoTracking().Where(c => c.ConsultationId == id && c.Size == size).FirstOrDefaultAsync(cancellationToken);
        if (latest is not null)
        {
            return latest;
        }

        var empty = LogCheckpoint.Sign(id, 0, MerkleLog.EmptyRoot(), now, signingKey.Key, signingKey.KeyId);
        db.LogCheckpoints.Add(empty);
        return empty;
    }

    /// <summary>
    /// Published responses not in the log yet (stored while <c>Consultations:Log:Enabled</c> was false,
    /// or before the log existed) enter it, in receipt order, before the final checkpoint is taken.
    /// </summary>
    private async Task EnterUnloggedAsync(Guid id, Instant now, CancellationToken cancellationToken)
    {
        var count = await LogAppender.EnterUnloggedAsync(db, id, signingKey, now, cancellationToken);
        if (count > 0)
        {
            LogEnteredUnlogged(id, count);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Consultation {ConsultationId}: {Count} published response(s) not in the log yet entered it at the close")]
    private partial void LogEnteredUnlogged(Guid consultationId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Consultation {ConsultationId} closed with {Count} published response(s)")]
    private partial void LogClosed(Guid consultationId, int count);
}

/// <summary>
/// Runs <see cref="ConsultationClosing"/> at start (closing what fell due while the service was
/// down) and then at each deadline, checking at least every <c>Consultations:Closing:PollSeconds</c>.
/// </summary>
public sealed partial class ConsultationClosingService(
    IServiceScopeFactory scopes, TimeProvider time, IOptions<ConsultationsOptions> options, ILogger<ConsultationClosingService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = TimeSpan.FromSeconds(Math.Max(1, options.Value.Closing.PollSeconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = poll;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var closing = scope.ServiceProvider.GetRequiredService<ConsultationClosing>();
                await closing.CloseDueAsync(stoppingToken);
                if (await closing.NextDeadlineAsync(stoppingToken) is { } next)
                {
                    var untilNext = (next - Instant.FromDateTimeOffset(time.GetUtcNow())).ToTimeSpan();
                    wait = untilNext < wait ? untilNext : wait;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The database may be unreachable for a while; try again at the next tick.
                LogFailed(ex.GetType().Name);
            }

            try
            {
                await Task.Delay(wait < TimeSpan.FromMilliseconds(200) ? TimeSpan.FromMilliseconds(200) : wait, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing due consultations failed ({Error}); retrying later")]
    private partial void LogFailed(string error);
}
