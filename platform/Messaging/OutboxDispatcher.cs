using System.Collections.Concurrent;
using System.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Platform.Messaging;

/// <summary>Wakes the dispatcher of <typeparamref name="TDbContext"/> when this process commits outbox rows.</summary>
internal sealed class OutboxSignal<TDbContext>
    where TDbContext : DbContext
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Raise()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already raised; one wake-up serves every commit before it.
        }
    }

    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}

/// <summary>
/// Publishes committed outbox rows of one DbContext with publisher confirms and marks them sent.
/// One round runs in one transaction: claim rows, publish (in sequence order within an aggregate,
/// aggregates in parallel), mark each confirmed row sent, record failures with back-off, commit.
/// A crash before the commit leaves the rows unsent: they are published again (at-least-once).
/// </summary>
/// <remarks>
/// Several instances may share one PostgreSQL outbox. A round claims only the <em>head</em> of each
/// aggregate (its oldest unsent row) with <c>FOR UPDATE SKIP LOCKED</c>; holding the head's lock
/// owns the aggregate for the round, so no other instance publishes a later row of it first. There
/// is no cursor over the sequence: a row whose transaction committed late (its sequence value
/// handed out before an earlier-committing row's) is simply still unsent and found by the next round.
/// </remarks>
internal sealed class OutboxDispatcher<TDbContext>(
    IServiceScopeFactory scopes,
    IBus bus,
    OutboxSignal<TDbContext> signal,
    IOptionsMonitor<MessagingOptions> optionsMonitor,
    IEnumerable<IOutboxDispatchObserver> observers,
    ILogger<OutboxDispatcher<TDbContext>> logger) : BackgroundService
    where TDbContext : DbContext
{
    private readonly MessagingOptions _options = optionsMonitor.Get(typeof(TDbContext).FullName);
    private readonly IOutboxDispatchObserver[] _observers = observers.ToArray();

    private string Endpoint => _options.Endpoint!;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var claimed = await DispatchOnceAsync(stoppingToken);
                failures = 0;
                if (claimed >= _options.DispatchBatchSize)
                {
                    continue; // More may be waiting.
                }
                await signal.WaitAsync(_options.DispatchPollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The database is unreachable or the round failed: nothing was marked sent, the rows stay due.
                failures++;
                var backoff = Backoff(failures, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5));
                Log.DispatchRoundFailed(logger, Endpoint, Describe(ex), backoff);
                await Task.Delay(backoff, stoppingToken);
            }
        }
    }

    /// <summary>Runs one round; returns the number of rows claimed.</summary>
    internal async Task<int> DispatchOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = DateTime.UtcNow;

        var heads = db.IsPostgres()
            ? await ClaimHeadsOnPostgresAsync(db, now, cancellationToken)
            : await ClaimHeadsAsync(db, now, cancellationToken);
        if (heads.Count == 0)
        {
            return 0;
        }

        // The rest of each owned aggregate, in order: no other instance touches them while we hold the head.
        var keys = heads.Where(h => h.AggregateKey is not null).Select(h => h.AggregateKey!).ToList();
        var headSequences = heads.Select(h => h.Sequence).ToHashSet();
        var followers = keys.Count == 0
            ? []
            : await db.Set<OutboxMessage>()
                .Where(o => o.SentAt == null && o.AggregateKey != null && keys.Contains(o.AggregateKey) && !headSequences.Contains(o.Sequence))
                .OrderBy(o => o.Sequence)
                .Take(_options.DispatchBatchSize)
                .AsNoTracking()
                .ToListAsync(cancellationToken);

        var streams = heads.Concat(followers)
            .GroupBy(o => o.AggregateKey ?? $"\0{o.Sequence}")
            .Select(g => g.OrderBy(o => o.Sequence).ToList())
            .ToList();

        var outcomes = new ConcurrentBag<(OutboxMessage Message, Exception? Error)>();
        // Every aggregate's chain at once: confirms are pipelined on the broker connection, so a round
        // costs about (longest chain × confirm latency), not (rows × confirm latency).
        await Parallel.ForEachAsync(streams, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, streams.Count), CancellationToken = cancellationToken },
            async (stream, ct) =>
            {
                foreach (var message in stream)
                {
                    var error = await PublishAsync(message, ct);
                    outcomes.Add((message, error));
                    if (error is not null)
                    {
                        break; // Later rows of this aggregate must not overtake the failed one.
                    }
                }
            });

        MessagingMetrics.Rounds.Add(1, MessagingMetrics.Tag(Endpoint));
        var sentAt = DateTime.UtcNow;
        var outbox = db.Set<OutboxMessage>();
        // Confirmed rows are marked in one statement; the claim still holds their locks.
        var sent = outcomes.Where(o => o.Error is null).Select(o => o.Message.Sequence).ToList();
        if (sent.Count > 0)
        {
            await outbox.Where(o => sent.Contains(o.Sequence)).ExecuteUpdateAsync(set => set
                .SetProperty(o => o.SentAt, sentAt)
                .SetProperty(o => o.Attempts, o => o.Attempts + 1)
                .SetProperty(o => o.LastError, (string?)null)
                .SetProperty(o => o.NextAttemptAt, (DateTime?)null), cancellationToken);
            MessagingMetrics.Published.Add(sent.Count, MessagingMetrics.Tag(Endpoint));
        }
        foreach (var (message, error) in outcomes.Where(o => o.Error is not null))
        {
            var attempts = message.Attempts + 1;
            var backoff = Backoff(attempts, TimeSpan.FromMilliseconds(200), _options.MaxPublishBackoff);
            var reason = Describe(error!);
            await outbox.Where(o => o.Sequence == message.Sequence).ExecuteUpdateAsync(set => set
                .SetProperty(o => o.Attempts, attempts)
                .SetProperty(o => o.LastError, reason)
                .SetProperty(o => o.NextAttemptAt, sentAt + backoff), cancellationToken);
            MessagingMetrics.PublishFailed.Add(1, MessagingMetrics.Tag(Endpoint));
            Log.PublishFailed(logger, Endpoint, message.MessageId, message.Sequence, attempts, reason, backoff);
        }
        await transaction.CommitAsync(cancellationToken);
        return heads.Count + followers.Count;
    }

    private async Task<Exception?> PublishAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        Activity? activity = null;
        try
        {
            var type = IntegrationEvents.TypeOf(message.MessageType);
            // Current while MassTransit publishes: its send activity, and the trace headers it writes,
            // continue the trace the row was raised in.
            activity = MessagingTelemetry.StartPublish(message, type, Endpoint);
            var payload = IntegrationEvents.Deserialize(message, type);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.PublishTimeout);
            // Returns only once the broker confirmed it; a mandatory message nobody's queue is bound
            // to comes back as a return, which MassTransit surfaces as a failed publish: retried later.
            // WaitAsync as well as the token: a publish caught in a broker reconnection may not
            // observe cancellation, and one hung publish would hold the round (and its row locks).
            await bus.Publish(payload, type, Pipe.Execute<PublishContext>(context =>
            {
                context.MessageId = message.MessageId;
                context.Durable = true;
                if (context.TryGetPayload(out RabbitMqSendContext? rabbit))
                {
                    rabbit.Mandatory = true;
                }
            }), timeout.Token).WaitAsync(_options.PublishTimeout, cancellationToken);
            foreach (var observer in _observers)
            {
                await observer.OnPublishedAsync(message, cancellationToken);
            }
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var timeout = new TimeoutException($"no confirm from the broker within {_options.PublishTimeout.TotalSeconds:0.#} s");
            MessagingTelemetry.Failed(activity, Describe(timeout));
            return timeout;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            MessagingTelemetry.Failed(activity, Describe(ex));
            return ex;
        }
        finally
        {
            activity?.Dispose();
        }
    }

    private async Task<List<OutboxMessage>> ClaimHeadsOnPostgresAsync(TDbContext db, DateTime now, CancellationToken cancellationToken)
    {
        var sql = ClaimHeadsSql(MessagingModel.OutboxNames.From(db));
        return await db.Set<OutboxMessage>()
            .FromSqlRaw(sql, new NpgsqlParameter("now", now), new NpgsqlParameter("batch", _options.DispatchBatchSize))
            .AsNoTracking()
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// The claim on PostgreSQL: the oldest due unsent rows that are the head of their aggregate (a row
    /// without an aggregate key is its own head), locked, skipping rows another instance holds.
    /// </summary>
    /// <remarks>
    /// Rows without a key (most rows: a response's event) are heads without a look at the others:
    /// the <c>IS NULL OR</c> keeps PostgreSQL from planning the head test as an anti-join over every
    /// unsent row. It did that when its statistics still counted the unsent rows of a calm moment
    /// (a few) while a burst had left 50,000: 256 candidates × 50,000 rows, 4.8 s per claim, past
    /// the 30-s command timeout under load, and the burst's events waited a minute to be published.
    /// </remarks>
    internal static string ClaimHeadsSql(MessagingModel.OutboxNames n) =>
        $"""
        SELECT o.* FROM {n.Table} AS o
        WHERE o.{n.SentAt} IS NULL
          AND (o.{n.NextAttemptAt} IS NULL OR o.{n.NextAttemptAt} <= @now)
          AND (o.{n.AggregateKey} IS NULL OR NOT EXISTS (
              SELECT 1 FROM {n.Table} AS p
              WHERE p.{n.AggregateKey} = o.{n.AggregateKey}
                AND p.{n.SentAt} IS NULL
                AND p.{n.Sequence} < o.{n.Sequence}))
        ORDER BY o.{n.Sequence}
        LIMIT @batch
        FOR UPDATE OF o SKIP LOCKED
        """;

    private async Task<List<OutboxMessage>> ClaimHeadsAsync(TDbContext db, DateTime now, CancellationToken cancellationToken)
    {
        // One dispatcher per database (the embedded mode): the transaction is enough.
        var outbox = db.Set<OutboxMessage>();
        return await outbox
            .Where(o => o.SentAt == null && (o.NextAttemptAt == null || o.NextAttemptAt <= now))
            .Where(o => o.AggregateKey == null || !outbox.Any(p => p.AggregateKey != null && p.AggregateKey == o.AggregateKey && p.SentAt == null && p.Sequence < o.Sequence))
            .OrderBy(o => o.Sequence)
            .Take(_options.DispatchBatchSize)
            .AsNoTracking()
            .ToListAsync(cancellationToken);
    }

    internal static TimeSpan Backoff(int attempt, TimeSpan first, TimeSpan max)
    {
        var factor = Math.Pow(2, Math.Min(attempt - 1, 20));
        var delay = TimeSpan.FromMilliseconds(first.TotalMilliseconds * factor);
        return delay > max ? max : delay;
    }

    internal static string Describe(Exception ex)
    {
        var text = $"{ex.GetType().Name}: {ex.Message}";
        return text.Length > 500 ? text[..500] : text;
    }
}
