using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Data;

namespace Platform.Messaging;

/// <summary>
/// Group commit for a service's inbox: the messages being handled at the same moment are applied
/// in one transaction on one <typeparamref name="TDbContext"/> (one inbox lookup, one statement
/// batch, one commit for all of them) by a few writer loops, so that one batch's commit overlaps
/// the next batch's work. Each message is acknowledged to the broker only after the transaction
/// that holds its effect and its inbox row committed.
/// </summary>
/// <remarks>
/// Handlers of one batch share the scope and its DbContext, in the order the messages arrived: a
/// handler sees the rows earlier handlers of the batch added through <c>Find</c>, not through
/// queries (nothing is saved before the commit). When a batch fails on anything but a transient
/// database error (a handler throws, a key or concurrency conflict with another writer), nothing
/// of it is stored and each message is applied again on its own, so one bad message never costs
/// the others and each gets its own retries; a transient error fails all of them (each is retried
/// through the outage by its consumer).
/// </remarks>
internal sealed partial class InboxCommitter<TDbContext> : BackgroundService
    where TDbContext : DbContext
{
    private readonly System.Threading.Channels.Channel<InboxWork> _queue =
        System.Threading.Channels.Channel.CreateUnbounded<InboxWork>(new() { SingleReader = false, SingleWriter = false });
    private readonly IServiceScopeFactory _scopes;
    private readonly ILogger _logger;
    private readonly int _writers;
    private readonly int _maxBatch;
    private readonly string _endpoint;

    public InboxCommitter(IServiceScopeFactory scopes, IOptionsMonitor<MessagingOptions> options, ILoggerFactory loggers)
    {
        var o = options.Get(typeof(TDbContext).FullName);
        _scopes = scopes;
        _logger = loggers.CreateLogger("Platform.Messaging.Inbox");
        _writers = Math.Max(1, o.InboxWriters);
        _maxBatch = Math.Max(1, o.InboxMaxBatch);
        _endpoint = o.Endpoint ?? typeof(TDbContext).Name;
    }

    /// <summary>Applies one message at most once; true when applied now, false when it was applied before.</summary>
    public async Task<bool> ApplyAsync(InboxWork work, CancellationToken cancellationToken)
    {
        if (!_queue.Writer.TryWrite(work))
        {
            throw new OperationCanceledException("The service is stopping; the message stays unacknowledged and is delivered again.");
        }

        // A consumer that gives up (the bus stopping) leaves the message unacknowledged; if its batch
        // commits anyway the redelivery finds the inbox row.
        return await work.Done.Task.WaitAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, _writers).Select(_ => Task.Run(WriteLoopAsync, CancellationToken.None)));

    /// <summary>Takes no more messages and applies the ones already queued (their consumers are waiting), then stops.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<InboxWork>(_maxBatch);
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            batch.Clear();
            while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }
            if (batch.Count > 0)
            {
                await WriteAsync(batch);
            }
        }
    }

    /// <summary>Applies a batch; on a failure that is not transient applies each of its messages alone.</summary>
    internal async Task WriteAsync(IReadOnlyList<InboxWork> batch)
    {
        try
        {
            await WriteTogetherAsync(batch);
            return;
        }
        catch (Exception ex) when (batch.Count > 1 && !Platform.Data.TransientFailures.IsTransient(ex))
        {
            LogBatchSplit(_logger, _endpoint, batch.Count, ex.GetType().Name);
        }
        catch (Exception ex)
        {
            foreach (var work in batch)
            {
                work.Done.TrySetException(ex);
            }
            return;
        }

        foreach (var work in batch)
        {
            try
            {
                await WriteTogetherAsync([work]);
            }
            catch (Exception ex)
            {
                work.Done.TrySetException(ex);
            }
        }
    }

    private async Task WriteTogetherAsync(IReadOnlyList<InboxWork> batch)
    {
        using var activity = MessagingTelemetry.StartInboxBatch(batch, _endpoint);
        try
        {
            await ApplyTogetherAsync(batch);
        }
        catch (Exception ex)
        {
            MessagingTelemetry.Failed(activity, $"{ex.GetType().Name}: {ex.Message}");
            throw;
        }
    }

    private async Task ApplyTogetherAsync(IReadOnlyList<InboxWork> batch)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var inbox = db.Set<InboxMessage>();
        await using var transaction = await db.Database.BeginAllOrNothingAsync(CancellationToken.None);

        // Duplicates (a redelivery, the outbox publishing twice, the same message twice in this
        // batch) in one look; a concurrent delivery of the same message in another writer blocks
        // on the inbox key at commit and then fails, and its lone retry finds the row.
        var ids = batch.Select(w => w.MessageId).Distinct().ToList();
        var postgres = db.IsPostgres();
        var applied = postgres
            ? await AppliedOnPostgresAsync(db, ids)
            : (await inbox.AsNoTracking().Where(i => ids.Contains(i.MessageId)).Select(i => new { i.MessageId, i.Consumer }).ToListAsync(CancellationToken.None))
                .Select(i => (i.MessageId, i.Consumer)).ToHashSet();

        var outcomes = new bool[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            outcomes[i] = applied.Add((batch[i].MessageId, batch[i].Consumer));
        }

        // Handlers that load what a whole batch needs in one query do it first, per event type.
        var toApply = batch.Where((_, i) => outcomes[i]).ToList();
        foreach (var group in toApply.Where(w => w.Prepare is not null).GroupBy(w => w.Prepare!))
        {
            await group.Key(scope.ServiceProvider, group.Select(w => w.Message).ToList(), CancellationToken.None);
        }

        foreach (var work in toApply)
        {
            using (var handling = MessagingTelemetry.StartHandling(work, _endpoint))
            {
                try
                {
                    await work.Apply(scope.ServiceProvider, work.CancellationToken);
                }
                catch (Exception ex)
                {
                    MessagingTelemetry.Failed(handling.Activity, $"{ex.GetType().Name}: {ex.Message}");
                    throw;
                }
            }
            inbox.Add(new InboxMessage { MessageId = work.MessageId, Consumer = work.Consumer, ReceivedAt = DateTime.UtcNow });
        }

        if (postgres)
        {
            // The new rows (inbox records, read-model rows the handlers added) in one statement per
            // table instead of one INSERT each through SaveChanges; SaveChanges then writes the rest
            // (changed rows with their concurrency checks, outbox rows). Measured on the cluster
            // benchmark: see platform/Messaging/README.md.
            await PostgresBulkInsert.InsertAddedAsync(db, CancellationToken.None);
        }

        await db.SaveChangesAsync(CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Done.TrySetResult(outcomes[i]);
        }
    }

    /// <summary>The inbox look-up as one Npgsql command: EF Core's query pipeline cost more CPU per batch than the database's work for it.</summary>
    private static async Task<HashSet<(Guid MessageId, string Consumer)>> AppliedOnPostgresAsync(TDbContext db, List<Guid> ids)
    {
        await using var command = db.Database.CreateNpgsqlCommand(InboxLookup(db));
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = ids.ToArray() });
        var found = new HashSet<(Guid, string)>();
        await using var reader = await command.ExecuteReaderAsync(CancellationToken.None);
        while (await reader.ReadAsync(CancellationToken.None))
        {
            found.Add((reader.GetGuid(0), reader.GetString(1)));
        }

        return found;
    }

    private static string? _inboxLookup;

    private static string InboxLookup(TDbContext db) => _inboxLookup ??= MessagingModel.InboxNames.From(db).Lookup;

    [LoggerMessage(8, LogLevel.Information, "Inbox of {Endpoint}: a batch of {Count} messages failed ({Error}); applying them one by one")]
    private static partial void LogBatchSplit(ILogger logger, string endpoint, int count, string error);
}

/// <summary>
/// One message for the inbox: its identity, the handler call that applies it in a given scope and,
/// when its handler prepares batches, the call that prepares all messages of its kind in a batch.
/// </summary>
internal sealed class InboxWork(
    Guid messageId,
    string consumer,
    object message,
    Func<IServiceProvider, CancellationToken, Task> apply,
    Func<IServiceProvider, IReadOnlyList<object>, CancellationToken, Task>? prepare,
    CancellationToken cancellationToken)
{
    public Guid MessageId { get; } = messageId;
    public string Consumer { get; } = consumer;
    public object Message { get; } = message;
    public Func<IServiceProvider, CancellationToken, Task> Apply { get; } = apply;
    public Func<IServiceProvider, IReadOnlyList<object>, CancellationToken, Task>? Prepare { get; } = prepare;
    public CancellationToken CancellationToken { get; } = cancellationToken;
    public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The consumer's activity the message was delivered in (made on the consumer's flow); the handler's activity continues it.</summary>
    public System.Diagnostics.ActivityContext DeliveredIn { get; } = MessagingTelemetry.CurrentContext();
}
