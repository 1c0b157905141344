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

        // 1. Request ids seen before (committed by an earlier call): their first receipt.
        var keys = batch.Where(p => p.Key is not null).Select(p => p.Key!).Distinct().ToList();
        var earlier = keys.Count == 0
            ? new Dictionary<IdempotencyKey, Receipt>()
            : await IdempotencyStore.FindManyAsync(db, keys, Receipt.Parser, CancellationToken.None);

        // 2. Each consultation written to, locked against the close: its deadline if still open.
        // With the log on PostgreSQL, the same round trip locks each log head (in id order, so
        // two batches never wait on each other's heads crosswise).
        var open = new Dictionary<Guid, ResponseWindow?>();
        var heads = new Dictionary<Guid, (long Size, byte[] Frontier)>();
        foreach (var consultationId in batch.Select(p => p.Record.ConsultationId!.Value).Distinct().Order())
        {
            if (_logEnabled && db.Database.IsNpgsql())
            {
                var (window, head) = await LogAppender.LockConsultationAndHeadAsync(db, consultationId, CancellationToken.None);
                open[consultationId] = window;
                if (head is { } locked)
                {
                    heads[consultationId] = locked;
                }
            }
            else
            {
                open[consultationId] = await ResponseIntake.LockOpenConsultationAsync(db, consultationId, CancellationToken.None);
            }
        }

        // 3. The responses, their events and their idempotency records: on PostgreSQL one INSERT
        // per table for the whole batch (see NewRows), elsewhere through SaveChanges. The
        // receipts are completed (inclusion proofs) once the log has the responses (4).
        var rows = db.Database.IsNpgsql() ? new NewRows() : null;
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

        // 4. The log: its head was locked with the consultation (2), so it is held only for this
        // batch's inserts and commit.
        if (accepted.Count > 0)
        {
            var proofs = _logEnabled
                ? await LogAppender.AppendAsync(db, [.. accepted.Select(i => batch[i].Record)], _signingKey, Instant.FromDateTimeOffset(_time.GetUtcNow()), rows?.Commands, CancellationToken.None, heads)
                : [];
            foreach (var i in accepted)
            {
                var (record, key) = (batch[i].Record, batch[i].Key);
                var receipt = outcomes[i]!;
                receipt.Inclusion = proofs.GetValueOrDefault(record.Id);
                var published = ConsultationEvents.Published(record);
                if (rows is not null)
                {
                    rows.Add(record, OutboxRowInSubmittersTrace(published, batch[i].RaisedIn), key is null ? null : IdempotencyStore.NewRecord(key, receipt, _time));
                }
                else
                {
                    db.Responses.Add(record);
                    db.Set<Platform.Messaging.OutboxMessage>().Add(OutboxRowInSubmittersTrace(published, batch[i].RaisedIn));
                    if (key is not null)
                    {
                        IdempotencyStore.Add(db, key, receipt, _time);
                    }
                }
            }
        }

        if (rows is not null)
        {
            await rows.InsertAsync(db);
        }
        else
        {
            await db.SaveChangesAsync(CancellationToken.None);
        }

        await transaction.CommitAsync(CancellationToken.None);
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Done.TrySetResult(sameKeyAs[i] is { } twin ? outcomes[twin] : outcomes[i]);
        }
    }

    /// <summary>
    /// A response's ResponsePublished outbox row (unordered: no aggregate key, see <see cref="ConsultationEvents"/>),
    /// built here rather than by <c>db.AddIntegrationEvent</c> for two reasons: the writer saves it for a
    /// submitter whose call raised it in <paramref name="raisedIn"/>, so the row keeps that trace rather
    /// than the writer loop's; and on PostgreSQL it goes to <see cref="NewRows"/>, not to the change tracker.
    /// </summary>
    private static Platform.Messaging.OutboxMessage OutboxRowInSubmittersTrace(Wsis.Contracts.Events.ResponsePublished published, System.Diagnostics.ActivityContext raisedIn) =>
        Platform.Messaging.IntegrationEvents.OutboxMessageFor(published, aggregateKey: null, raisedIn);

    /// <summary>
    /// A batch refused by a constraint: through SaveChanges a <see cref="DbUpdateException"/>,
    /// through <see cref="NewRows"/> PostgreSQL's unique violation itself.
    /// </summary>
    private static bool IsConstraintViolation(Exception ex) =>
        ex is DbUpdateException or Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation };

    /// <summary>
    /// A batch's new rows on PostgreSQL, inserted in one round trip: one INSERT … SELECT FROM
    /// unnest(…) per table (<see cref="PostgresBulkInsert"/>), the rows exactly as SaveChanges
    /// would have written them. SaveChanges sent one INSERT per row, and EF Core's change tracking
    /// and command building were about half of a Consultations instance's CPU under sustained intake.
    /// </summary>
    private sealed class NewRows
    {
        private readonly List<Response> _responses = [];
        private readonly List<ResponseAttachment> _attachments = [];
        private readonly List<Platform.Messaging.OutboxMessage> _events = [];
        private readonly List<IdempotencyRecord> _idempotency = [];

        /// <summary>The log's writes (<see cref="LogAppender"/>), run in the same round trip.</summary>
        public List<Npgsql.NpgsqlBatchCommand> Commands { get; } = [];

        public void Add(Response response, Platform.Messaging.OutboxMessage published, IdempotencyRecord? idempotency)
        {
            _responses.Add(response);
            _attachments.AddRange(response.Attachments);
            _events.Add(published);
            if (idempotency is not null)
            {
                _idempotency.Add(idempotency);
            }
        }

        public async Task InsertAsync(ConsultationsDbContext db)
        {
            if (_responses.Count == 0)
            {
                return;
            }

            var commands = new List<Npgsql.NpgsqlBatchCommand> { PostgresBulkInsert.Command(db, _responses) };
            if (_attachments.Count > 0)
            {
                commands.Add(PostgresBulkInsert.Command(db, _attachments));
            }

            commands.Add(Platform.Messaging.IntegrationEvents.OutboxInsertCommand(db, _events));
            if (_idempotency.Count > 0)
            {
                commands.Add(PostgresBulkInsert.Command(db, _idempotency));
            }

            commands.AddRange(Commands);

            await using var batch = db.Database.CreateNpgsqlBatch(commands);
            await batch.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

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
