using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Data;
using Wsis.Consultations.Data;
using Wsis.Consultations.IntegrationEvents;
using Wsis.Consultations.Log;
using NodaTime;
using Wsis.Consultations.Model;
using Wsis.Consultations.V1;
using Response = Wsis.Consultations.Model.Response;

namespace Wsis.Consultations.Intake;

/// <summary>
/// Group commit for web submissions: the submissions waiting at a moment are stored together in
/// one transaction (one round trip per statement kind instead of per submission), by a few writer
/// loops so that one batch's commit overlaps the next batch's statements. Each submitter gets its
/// receipt only after the transaction that holds its response committed.
/// </summary>
/// <remarks>
/// A batch runs the same protocol as a single submission (see <see cref="ResponseIntake"/>): it
/// looks up the batch's request_ids, locks each consultation it writes to against the close
/// (<c>FOR SHARE</c> on PostgreSQL), checks each response's receipt time against the deadline,
/// and inserts the responses, their outbox events and their idempotency records. If the batch
/// fails on a constraint (a tracking-number collision, or the same request_id committed by
/// another instance meanwhile), nothing of it is stored and each submission is written again on
/// its own, so one bad row never costs the others.
/// </remarks>
public sealed partial class IntakeWriter : BackgroundService
{
    private readonly System.Threading.Channels.Channel<Pending> _queue = System.Threading.Channels.Channel.CreateUnbounded<Pending>(new System.Threading.Channels.UnboundedChannelOptions { SingleWriter = false, SingleReader = false });
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private readonly ILogger<IntakeWriter> _logger;
    private readonly int _writers;
    private readonly int _maxBatch;
    private readonly LogSigningKey _signingKey;
    private readonly bool _logEnabled;

    /// <summary>Nothing was stored: the submitter may retry (with the same request_id) after this long.</summary>
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    public IntakeWriter(IServiceScopeFactory scopes, IOptions<ConsultationsOptions> options, LogSigningKey signingKey, TimeProvider time, ILogger<IntakeWriter> logger)
    {
        _signingKey = signingKey;
        _logEnabled = options.Value.Log.Enabled;
        _scopes = scopes;
        _time = time;
        _logger = logger;
        _writers = Math.Max(1, options.Value.Intake.Writers ?? (_logEnabled ? 1 : 4));
        _maxBatch = Math.Max(1, options.Value.Intake.MaxBatch);
    }

    /// <summary>
    /// Stores a published web response; returns its receipt (the first one, for a request_id seen
    /// before), or null when its consultation was no longer open for it at commit.
    /// </summary>
    public async Task<Receipt?> StoreAsync(Response record, IdempotencyKey? key, CancellationToken cancellationToken)
    {
        var pending = new Pending(record, key);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw DomainException.Unavailable("the service is stopping; nothing was stored: retry with the same request_id", RetryAfter);
        }

        // A caller that gives up still has its response written if the batch already took it;
        // a retry with the same request_id then gets that receipt.
        return await pending.Done.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var loops = Enumerable.Range(0, _writers).Select(_ => Task.Run(() => WriteLoopAsync(stoppingToken), CancellationToken.None)).ToArray();
        await Task.WhenAll(loops);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
        while (_queue.Reader.TryRead(out var left))
        {
            left.Done.TrySetException(DomainException.Unavailable("the service is stopping; nothing was stored: retry with the same request_id", RetryAfter));
        }
    }

    private async Task WriteLoopAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(_maxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
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
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Writes a batch; on a constraint failure writes each of its submissions alone.</summary>
    internal async Task WriteAsync(IReadOnlyList<Pending> batch)
    {
        try
        {
            await WriteTogetherAsync(batch);
            return;
        }
        catch (Exception ex) when (batch.Count > 1 && IsConstraintViolation(ex))
        {
            LogBatchSplit(batch.Count);
        }
        catch (Exception ex)
        {
            FailAll(batch, ex);
            return;
        }

        foreach (var pending in batch)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await WriteTogetherAsync([pending]);
                    break;
                }
                catch (Exception ex) when (attempt < 3 && IsConstraintViolation(ex))
                {
                    // A tracking-number collision (the unique index): the next attempt draws a new number.
                }
                catch (Exception ex)
                {
                    FailAll([pending], ex);
                    break;
                }
            }
        }
    }

    private void FailAll(IReadOnlyList<Pending> batch, Exception ex)
    {
        LogBatchFailed(batch.Count, ex.GetType().Name, ex.Message);
        foreach (var pending in batch)
        {
            pending.Done.TrySetException(DomainException.Unavailable("the response could not be stored; nothing was stored: retry with the same request_id", RetryAfter));
        }
    }

    private async Task WriteTogetherAsync(IReadOnlyList<Pending> batch)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsultationsDbContext>();
        await using var transaction = await db.Database.BeginAllOrNothingAsync(CancellationToken.None);

        // 1. Request ids seen before (committed by an earlier call): their first receipt; and
        // 2. each consultation written to, locked against the close: its deadline if still open.
        // On PostgreSQL both in one round trip.
        var keys = batch.Where(p => p.Key is not null).Select(p => p.Key!).Distinct().ToList();
        var consultationIds = batch.Select(p => p.Record.ConsultationId!.Value).Distinct().Order().ToList();
        var open = new Dictionary<Guid, ResponseWindow?>();
        Dictionary<IdempotencyKey, Receipt> earlier;
        if (db.Database.IsNpgsql())
        {
            var commands = new List<Npgsql.NpgsqlBatchCommand>();
            if (keys.Count > 0)
            {
                commands.Add(IdempotencyStore.FindManyCommand(keys));
            }

            commands.AddRange(consultationIds.Select(ResponseIntake.LockOpenConsultationCommand));
            await using var lookups = db.Database.CreateNpgsqlBatch(commands);
            await using var reader = await lookups.ExecuteReaderAsync(CancellationToken.None);
            earlier = keys.Count > 0 ? await IdempotencyStore.ReadFoundAsync(reader, keys, Receipt.Parser, CancellationToken.None) : [];
            for (var i = 0; i < consultationIds.Count; i++)
            {
                if (keys.Count > 0 || i > 0)
                {
                    await reader.NextResultAsync(CancellationToken.None);
                }

                open[consultationIds[i]] = await reader.ReadAsync(CancellationToken.None)
                    ? new ResponseWindow(Model.ConsultationState.Open, Instant.FromUnixTimeTicks(reader.GetInt64(0)))
                    : null;
            }
        }
        else
        {
            earlier = keys.Count == 0 ? [] : await IdempotencyStore.FindManyAsync(db, keys, Receipt.Parser, CancellationToken.None);
            foreach (var consultationId in consultationIds)
            {
                open[consultationId] = await ResponseIntake.LockOpenConsultationAsync(db, consultationId, CancellationToken.None);
            }
        }

        // 3. Which submissions are stored: not a replay, not a twin within the batch, in time.
        var outcomes = new Receipt?[batch.Count];
        var firstOfKey = new Dictionary<IdempotencyKey, int>();
        var sameKeyAs = new int?[batch.Count];
        var accepted = new List<int>();
        for (var i = 0; i < batch.Count; i++)
        {
            var (record, key) = (batch[i].Record, batch[i].Key);
            if (key is not null && earlier.TryGetValue(key, out var first))
            {
                outcomes[i] = first;
                continue;
            }

            if (key is not null && firstOfKey.TryGetValue(key, out var twin))
            {
                sameKeyAs[i] = twin; // the same request twice in one batch: one response, one receipt
                continue;
            }

            if (open[record.ConsultationId!.Value] is not { } window || !window.Accepts(record.ReceivedAt))
            {
                continue; // null: too late
            }

            outcomes[i] = ResponseIntake.NumberAndReceipt(record);
            accepted.Add(i);
            if (key is not null)
            {
                firstOfKey[key] = i;
            }
        }

        if (accepted.Count > 0)
        {
            if (db.Database.IsNpgsql())
            {
                await InsertOnPostgresAsync(db, batch, accepted, outcomes);
            }
            else
            {
                await InsertThroughContextAsync(db, batch, accepted, outcomes);
            }
        }

        await transaction.CommitAsync(CancellationToken.None);
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Done.TrySetResult(sameKeyAs[i] is { } twin ? outcomes[twin] : outcomes[i]);
        }
    }

    /// <summary>
    /// PostgreSQL: two round trips. The first inserts the responses, their attachments and events
    /// (one INSERT per table, <see cref="PostgresBulkInsert"/>) and, at its end, locks the log heads
    /// of the batch's consultations; the second writes the log (the responses' leaves, the new
    /// subtrees, the head, one signed checkpoint) and the idempotency records, whose receipts carry
    /// the inclusion proofs. So a head is held only for the log's small rows and the commit, and
    /// the other instances' batches insert their responses meanwhile.
    /// </summary>
    private async Task InsertOnPostgresAsync(ConsultationsDbContext db, IReadOnlyList<Pending> batch, List<int> accepted, Receipt?[] outcomes)
    {
        var records = accepted.Select(i => batch[i].Record).ToList();
        var attachments = records.SelectMany(r => r.Attachments).ToList();
        var first = new List<Npgsql.NpgsqlBatchCommand> { PostgresBulkInsert.Command(db, records) };
        if (attachments.Count > 0)
        {
            first.Add(PostgresBulkInsert.Command(db, attachments));
        }

        first.Add(Platform.Messaging.IntegrationEvents.OutboxInsertCommand(db,
            [.. accepted.Select(i => OutboxRowInSubmittersTrace(ConsultationEvents.Published(batch[i].Record), batch[i].RaisedIn))]));
        var consultations = records.Select(r => r.ConsultationId!.Value).Distinct().Order().ToList();
        if (_logEnabled)
        {
            first.AddRange(consultations.Select(LogAppender.LockHeadCommand));
        }

        var heads = new Dictionary<Guid, (long Size, byte[] Frontier)>();
        await using (var inserts = db.Database.CreateNpgsqlBatch(first))
        {
            await using var reader = await inserts.ExecuteReaderAsync(CancellationToken.None);
            do
            {
                while (await reader.ReadAsync(CancellationToken.None))
                {
                    heads[reader.GetGuid(0)] = (reader.GetInt64(1), (byte[])reader.GetValue(2));
                }
            }
            while (await reader.NextResultAsync(CancellationToken.None));
        }

        var second = new List<Npgsql.NpgsqlBatchCommand>();
        if (_logEnabled)
        {
            var proofs = await LogAppender.AppendAsync(db, records, _signingKey, Instant.FromDateTimeOffset(_time.GetUtcNow()), second, CancellationToken.None, heads);
            foreach (var i in accepted)
            {
                outcomes[i]!.Inclusion = proofs.GetValueOrDefault(batch[i].Record.Id);
            }
        }

        var idempotency = accepted.Where(i => batch[i].Key is not null).Select(i => IdempotencyStore.NewRecord(batch[i].Key!, outcomes[i]!, _time)).ToList();
        if (idempotency.Count > 0)
        {
            second.Add(PostgresBulkInsert.Command(db, idempotency));
        }

        if (second.Count > 0)
        {
            await using var writes = db.Database.CreateNpgsqlBatch(second);
            await writes.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>SQLite (one writer at a time, so no head lock to shorten): the log, then everything through SaveChanges.</summary>
    private async Task InsertThroughContextAsync(ConsultationsDbContext db, IReadOnlyList<Pending> batch, List<int> accepted, Receipt?[] outcomes)
    {
        var proofs = _logEnabled
            ? await LogAppender.AppendAsync(db, [.. accepted.Select(i => batch[i].Record)], _signingKey, Instant.FromDateTimeOffset(_time.GetUtcNow()), null, CancellationToken.None)
            : [];
        foreach (var i in accepted)
        {
            var (record, key) = (batch[i].Record, batch[i].Key);
            var receipt = outcomes[i]!;
            receipt.Inclusion = proofs.GetValueOrDefault(record.Id);
            db.Responses.Add(record);
            db.Set<Platform.Messaging.OutboxMessage>().Add(OutboxRowInSubmittersTrace(ConsultationEvents.Published(record), batch[i].RaisedIn));
            if (key is not null)
            {
                IdempotencyStore.Add(db, key, receipt, _time);
            }
        }

        await db.SaveChangesAsync(CancellationToken.None);
    }

    /// <summary>
    /// A response's ResponsePublished outbox row (unordered: no aggregate key, see <see cref="ConsultationEvents"/>),
    /// built here rather than by <c>db.AddIntegrationEvent</c> for two reasons: the writer saves it for a
    /// submitter whose call raised it in <paramref name="raisedIn"/>, so the row keeps that trace rather
    /// than the writer loop's; and on PostgreSQL it goes to a bulk INSERT, not to the change tracker.
    /// </summary>
    private static Platform.Messaging.OutboxMessage OutboxRowInSubmittersTrace(Wsis.Contracts.Events.ResponsePublished published, System.Diagnostics.ActivityContext raisedIn) =>
        Platform.Messaging.IntegrationEvents.OutboxMessageFor(published, aggregateKey: null, raisedIn);

    /// <summary>
    /// A batch refused by a constraint: through SaveChanges a <see cref="DbUpdateException"/>,
    /// through the bulk INSERTs PostgreSQL's unique violation itself.
    /// </summary>
    private static bool IsConstraintViolation(Exception ex) =>
        ex is DbUpdateException or Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation };

    internal sealed record Pending(Response Record, IdempotencyKey? Key)
    {
        public TaskCompletionSource<Receipt?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The submitter's trace (taken on its call, where it is current): the response's event continues it, not the writer loop's.</summary>
        public System.Diagnostics.ActivityContext RaisedIn { get; } = Platform.Messaging.MessagingTelemetry.CurrentContext();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A batch of {Count} responses hit a constraint; writing them one by one")]
    private partial void LogBatchSplit(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing {Count} response(s) failed ({Error}: {Reason}); their submitters are told to retry")]
    private partial void LogBatchFailed(int count, string error, string reason);
}
