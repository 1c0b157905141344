using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;
using Wsis.Consultations.Data;
using Wsis.Consultations.Model;

namespace Wsis.Consultations.Examination;

/// <summary>
/// Computes examination packages before anyone asks (<see cref="ExaminationPackages"/>), one pass at
/// start and then every <c>Consultations:Results:MaxAgeSeconds</c> (at least 1 s), and at once after
/// this instance closes a consultation:
/// <list type="bullet">
/// <item>a closed consultation whose package is not in the store yet is loaded or computed and
/// stored: at once when this instance closed it; when another instance did, once the close is
/// <see cref="OthersGrace"/> old (the closing instance normally stores it within the computation's
/// time; a consultation closed before the store existed is stored by the first pass);</item>
/// <item>an open consultation with at least <c>Consultations:LiveCount:CacheFrom</c> published
/// responses gets a new package when its count changed since the kept one.</item>
/// </list>
/// In that order: the consultations this instance just closed, the open ones, then the other closed
/// ones. A pass that fails (the database unreachable) is retried after 5 s at most.
/// </summary>
public sealed partial class ExaminationRefresher(
    ExaminationPackages packages, IServiceScopeFactory scopes, TimeProvider time, IOptions<ConsultationsOptions> options, ILogger<ExaminationRefresher> logger) : BackgroundService
{
    /// <summary>How long after another instance's close this instance stores the package itself (the other may have stopped).</summary>
    public static readonly TimeSpan OthersGrace = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the host's start: the first pass may compute for a while.
        await Task.Yield();
        var period = TimeSpan.FromSeconds(Math.Max(1, options.Value.Results.MaxAgeSeconds));
        var closedHere = new HashSet<Guid>();
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = period;
            try
            {
                await PassAsync(closedHere, stoppingToken);
                closedHere.Clear();
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(ex.GetType().Name);
                wait = RetryAfter < period ? RetryAfter : period;
            }

            try
            {
                closedHere.UnionWith(await packages.WaitForCloseAsync(wait, stoppingToken));
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task PassAsync(IReadOnlySet<Guid> closedHere, CancellationToken cancellationToken)
    {
        List<Consultation> closed;
        Dictionary<Guid, int> open;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ConsultationsDbContext>();
            closed = await db.Consultations.AsNoTracking()
                .Where(c => c.State != ConsultationState.Open && !db.ExaminationPackages.Any(p => p.ConsultationId == c.Id))
                .OrderBy(c => c.ClosesAt).ToListAsync(cancellationToken);
            open = await db.Responses.AsNoTracking()
                .Where(r => r.Published && db.Consultations.Any(c => c.Id == r.ConsultationId && c.State == ConsultationState.Open))
                .GroupBy(r => r.ConsultationId).Select(g => new { Id = g.Key!.Value, Count = g.Count() })
                .Where(g => g.Count >= packages.LargeFrom)
                .ToDictionaryAsync(g => g.Id, g => g.Count, cancellationToken);
        }

        // Just closed here first, then the open ones (their readers have nothing else), then the backlog
        // (closed by an instance that stopped, or before the store existed).
        var failed = 0;
        foreach (var consultation in closed.Where(c => closedHere.Contains(c.Id)))
        {
            failed += await TryAsync(consultation.Id, () => packages.EnsureStoredAsync(consultation, cancellationToken), cancellationToken);
        }

        foreach (var (id, count) in open)
        {
            failed += await TryAsync(id, () => packages.RefreshAsync(id, count, cancellationToken), cancellationToken);
        }

        var othersBefore = Instant.FromDateTimeOffset(time.GetUtcNow() - OthersGrace);
        foreach (var consultation in closed.Where(c => !closedHere.Contains(c.Id) && (c.ClosedAt is null || c.ClosedAt <= othersBefore)))
        {
            failed += await TryAsync(consultation.Id, () => packages.EnsureStoredAsync(consultation, cancellationToken), cancellationToken);
        }

        if (failed > 0)
        {
            throw new InvalidOperationException($"{failed} consultation(s) failed");
        }
    }

    /// <summary>One consultation's work; a failure is logged and does not keep the others waiting (1 when it failed).</summary>
    private async Task<int> TryAsync(Guid consultationId, Func<Task> work, CancellationToken cancellationToken)
    {
        try
        {
            await work();
            return 0;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogConsultationFailed(consultationId, ex.GetType().Name);
            return 1;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Examination package of consultation {ConsultationId} not brought up to date ({Error}); retrying at the next pass")]
    private partial void LogConsultationFailed(Guid consultationId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Computing examination packages ahead failed ({Error}); retrying later")]
    private partial void LogFailed(string error);
}
