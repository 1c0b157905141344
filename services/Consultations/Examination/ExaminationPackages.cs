using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;
using Wsis.Consultations.Data;
using Wsis.Consultations.Model;

namespace Wsis.Consultations.Examination;

/// <summary>
/// The examination package of each consultation (counts and similar texts over every published
/// response), computed ahead of its readers and kept, because computing it reads every response's
/// text: measured at 81,796 responses, four anonymous readers of GetConsultationResults kept a
/// Consultations instance busy for 50 s per answer when each call computed its own, and with one
/// computation per instance on first read the first reader still waited 15.6 s (p99, ~84,000
/// responses, loaded machine).
/// </summary>
/// <remarks>
/// <para>
/// <b>Closed</b>: the published responses never change, so the package is computed once, right after
/// the close (<see cref="ExaminationRefresher"/>, woken by <see cref="Closed"/>), and stored in
/// <c>ExaminationPackages</c> with the final checkpoint's size and root it covers; every instance and
/// every restart loads those bytes (milliseconds) instead of computing. A consultation closed before
/// the store existed, or whose package was not stored yet, is computed and stored once by the first
/// instance that needs it (the refresher at start, or a reader); the consultation's key makes the
/// first writer win, and a later writer serves the stored package. Until the final package is in
/// this instance's memory, a reader who finds the open consultation's last package is given it.
/// </para>
/// <para>
/// <b>Open</b>: below <c>Consultations:LiveCount:CacheFrom</c> (10,000) responses a package follows
/// every new response (the computation is short). From CacheFrom on, <see cref="ExaminationRefresher"/>
/// brings it up to date in the background every <c>Consultations:Results:MaxAgeSeconds</c> (60) when
/// the count changed (no sooner than <see cref="DutyCycle"/> times the last computation's duration), so a
/// reader is always given a ready package; a reader who finds one older than that (the refresher is
/// late) starts the next computation and is given the previous one. Each is saved in
/// <c>LiveExaminationPackages</c>, so an instance that starts serves the last one saved at once while it
/// computes its own. Only a consultation's very first large package, before any instance saved one, is
/// waited for (the refresher starts it at once; a reader joins it).
/// </para>
/// <para>
/// One consultation's package is computed by one call at a time (the others join it), and one
/// package at a time in this instance, so no number of readers can take more than one core; the
/// computation streams the responses and keeps no text. At most <see cref="Kept"/> packages are kept
/// in memory, the least recently used dropped first (a closed one is loaded again from the store).
/// </para>
/// </remarks>
public sealed partial class ExaminationPackages(IServiceScopeFactory scopes, TimeProvider time, IOptions<ConsultationsOptions> options, ILogger<ExaminationPackages> logger)
{
    /// <summary>How many consultations' packages this instance keeps.</summary>
    public const int Kept = 32;

    /// <summary>
    /// A large open consultation's package is computed again no sooner than this many times its last
    /// computation's duration after it started (at most a quarter of one core per consultation): at
    /// 300,000 responses (about 40 s) every 160 s instead of every MaxAgeSeconds.
    /// </summary>
    public const int DutyCycle = 4;

    /// <summary>
    /// An open consultation nobody read on this instance for this long is not recomputed in the
    /// background (its first package is; after that its next reader gets the one kept at once and
    /// starts the next computation).
    /// </summary>
    public static readonly TimeSpan ReadersGone = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Meter <c>Wsis.Consultations.Examination</c> (exported with the service's other metrics):
    /// <c>consultations.results.computations</c> tagged <c>cause</c> = <c>reader</c> or <c>background</c>,
    /// <c>consultations.results.computation.duration</c> (ms), <c>consultations.results.loaded</c>
    /// (closed packages read from the store), <c>consultations.results.stored</c>.
    /// </summary>
    public const string MeterName = "Wsis.Consultations.Examination";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> ComputationsCounter = Meter.CreateCounter<long>("consultations.results.computations");
    private static readonly Histogram<double> ComputationDuration = Meter.CreateHistogram<double>("consultations.results.computation.duration", "ms");
    private static readonly Counter<long> LoadedCounter = Meter.CreateCounter<long>("consultations.results.loaded");
    private static readonly Counter<long> StoredCounter = Meter.CreateCounter<long>("consultations.results.stored");

    private readonly ConcurrentDictionary<Guid, Slot> _slots = new();
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly int _largeFrom = options.Value.LiveCount.CacheFrom;
    private readonly TimeSpan _maxAge = TimeSpan.FromSeconds(Math.Max(0, options.Value.Results.MaxAgeSeconds));
    private readonly Channel<Guid> _closedHere = Channel.CreateUnbounded<Guid>();
    private readonly ConcurrentDictionary<Guid, bool> _closedByThisInstance = new();
    private long _computations;
    private long _computationsForReaders;
    private long _loaded;
    private long _stored;
    private long _liveLoaded;

    /// <summary>How many packages this instance has computed, in the background or for a reader.</summary>
    public long Computations => Interlocked.Read(ref _computations);

    /// <summary>How many of <see cref="Computations"/> a reader's call started (what the background work is there to avoid).</summary>
    public long ComputationsForReaders => Interlocked.Read(ref _computationsForReaders);

    /// <summary>How many closed consultations' packages this instance read from the store.</summary>
    public long Loaded => Interlocked.Read(ref _loaded);

    /// <summary>How many large open consultations' last packages this instance read from <c>LiveExaminationPackages</c> (after a start).</summary>
    public long LiveLoaded => Interlocked.Read(ref _liveLoaded);

    /// <summary>How many packages this instance wrote to the store (it was the first writer).</summary>
    public long Stored => Interlocked.Read(ref _stored);

    /// <summary>Consultations whose package the refresher keeps up to date from this many responses on.</summary>
    public int LargeFrom => _largeFrom;

    /// <summary>The package of <paramref name="consultation"/>, which has <paramref name="publishedCount"/> published responses now.</summary>
    public async Task<ExaminationPackage> GetAsync(Consultation consultation, int publishedCount, CancellationToken cancellationToken)
    {
        var slot = Touch(consultation.Id);
        slot.LastRead = time.GetUtcNow();
        var known = slot.Current;
        if (known is null && (consultation.State == ConsultationState.Open ? publishedCount : consultation.PublishedResponseCount) >= _largeFrom)
        {
            // An instance that just started: the last package some instance saved, while it computes its own.
            known = await LiveAsync(slot, consultation.Id);
        }

        if (consultation.State != ConsultationState.Open)
        {
            if (known?.Final == true)
            {
                return known.Package;
            }

            // The open consultation's last package while the final one is loaded or computed (or stored,
            // when the last one covers as many responses); then the instance that closed it has a while
            // to store it before this one computes it too.
            var final = StartFinal(slot, consultation, forReader: true, patient: known is not null);
            if (final.IsCompletedSuccessfully)
            {
                return final.Result.Package;
            }

            return known is not null ? known.Package : (await final.WaitAsync(cancellationToken)).Package;
        }

        if (known is not null && known.Count == publishedCount)
        {
            return known.Package;
        }

        // Only a package that was itself over a large consultation stands in for a newer count.
        if (publishedCount >= _largeFrom && known?.Count >= _largeFrom)
        {
            if (time.GetUtcNow() - known.At >= MaxAgeOf(known))
            {
                // The refresher is late (or MaxAgeSeconds is 0): bring it up to date, the previous one meanwhile.
                _ = StartComputing(slot, consultation.Id, forReader: true);
            }

            return known.Package;
        }

        // A small consultation, or this instance's first package of it: the caller waits (joining the refresher's computation if it runs).
        return (await StartComputing(slot, consultation.Id, forReader: true).WaitAsync(cancellationToken)).Package;
    }

    /// <summary>Called after this instance closed <paramref name="consultationId"/>: the refresher stores its package now.</summary>
    public void Closed(Guid consultationId)
    {
        _closedByThisInstance[consultationId] = true;
        _closedHere.Writer.TryWrite(consultationId);
    }

    /// <summary>Waits until <see cref="Closed"/> is called or <paramref name="timeout"/> passes; the consultations closed here meanwhile.</summary>
    internal async Task<IReadOnlyCollection<Guid>> WaitForCloseAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            wait.CancelAfter(timeout);
            try
            {
                await _closedHere.Reader.WaitToReadAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The period passed without a close.
            }
        }

        var closed = new HashSet<Guid>();
        while (_closedHere.Reader.TryRead(out var id))
        {
            closed.Add(id);
        }

        return closed;
    }

    /// <summary>
    /// Makes sure a closed consultation's package is in the store (loaded from it, or computed and
    /// stored); what the refresher does after a close.
    /// </summary>
    internal async Task EnsureStoredAsync(Consultation consultation, CancellationToken cancellationToken)
    {
        var slot = Touch(consultation.Id);
        await StartFinal(slot, consultation, forReader: false, patient: false).WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Brings an open consultation's package up to date with <paramref name="publishedCount"/>
    /// responses, in the background; nothing to do when the kept one already covers them.
    /// </summary>
    internal async Task RefreshAsync(Guid consultationId, int publishedCount, CancellationToken cancellationToken)
    {
        var slot = Touch(consultationId);
        if (slot.Current is null)
        {
            await LiveAsync(slot, consultationId);
        }

        // Nothing new; or the last computation was long and is recent: a large consultation is not
        // computed more than a quarter of the time (DutyCycle), whatever MaxAgeSeconds says; or nobody
        // read it on this instance for ReadersGone: a package is kept (the next reader gets it at once
        // and brings it up to date), but not recomputed every minute for no one while the intake
        // needs the CPU.
        if (slot.Current is { } kept && (kept.Count == publishedCount || time.GetElapsedTime(kept.Timestamp) < DutyCycle * kept.Duration
            || time.GetUtcNow() - slot.LastRead > ReadersGone))
        {
            return;
        }

        await StartComputing(slot, consultationId, forReader: false).WaitAsync(cancellationToken);
    }

    /// <summary>How old a large open consultation's package may be before a reader starts the next: MaxAgeSeconds, or <see cref="DutyCycle"/> times its computation if longer.</summary>
    private TimeSpan MaxAgeOf(Computed known) => DutyCycle * known.Duration > _maxAge ? DutyCycle * known.Duration : _maxAge;

    private Slot Touch(Guid consultationId)
    {
        var slot = _slots.GetOrAdd(consultationId, _ => new Slot());
        slot.LastUsed = time.GetUtcNow();
        return slot;
    }

    private Task<Computed> StartComputing(Slot slot, Guid consultationId, bool forReader)
    {
        lock (slot)
        {
            return slot.Computing ??= Run(slot, () => ComputeOpenAsync(slot, consultationId, forReader));
        }
    }

    private Task<Computed> StartFinal(Slot slot, Consultation consultation, bool forReader, bool patient)
    {
        lock (slot)
        {
            // A final package that failed (the database was unreachable) is tried again by the next call,
            // and one that is not in the store by the refresher's next pass.
            if (slot.Final is { IsFaulted: true } or { IsCanceled: true }
                || (!forReader && slot.Final is { IsCompletedSuccessfully: true } done && !done.Result.InStore))
            {
                slot.Final = null;
            }

            return slot.Final ??= Run(slot, () => ObtainFinalAsync(slot, consultation, forReader, patient), final: true);
        }
    }

    /// <summary>Off the caller's thread and cancellation: a reader who leaves does not waste the work for the next.</summary>
    private async Task<Computed> Run(Slot slot, Func<Task<Computed>> work, bool final = false)
    {
        await Task.Yield();
        try
        {
            return await work();
        }
        finally
        {
            if (!final)
            {
                lock (slot)
                {
                    slot.Computing = null;
                }
            }

            Trim();
        }
    }

    private async Task<Computed> ComputeOpenAsync(Slot slot, Guid consultationId, bool forReader)
    {
        var started = time.GetTimestamp();
        var (package, milliseconds) = await ComputeAsync(consultationId, forReader);
        var computed = new Computed(package, time.GetUtcNow(), Final: false) { Timestamp = started, Duration = TimeSpan.FromMilliseconds(milliseconds) };
        lock (slot)
        {
            // A final package (the consultation closed meanwhile) is never replaced by an open one.
            if (slot.Current?.Final != true)
            {
                slot.Current = computed;
            }
        }

        LogComputed(consultationId, computed.Count, milliseconds, forReader ? "a reader" : "the refresher");
        if (computed.Count >= _largeFrom)
        {
            await SaveLiveAsync(consultationId, package);
        }

        return computed;
    }

    /// <summary>
    /// The large open consultation's last package as some instance saved it, kept as this slot's
    /// package when it has none (an instance that just started); null when there is none.
    /// </summary>
    private async Task<Computed?> LiveAsync(Slot slot, Guid consultationId)
    {
        Task<Computed?> loading;
        lock (slot)
        {
            loading = slot.Live ??= LoadLiveAsync(consultationId);
        }

        if (await loading is not { } live)
        {
            return slot.Current;
        }

        lock (slot)
        {
            slot.Current ??= live;
            return slot.Current;
        }
    }

    private async Task<Computed?> LoadLiveAsync(Guid consultationId)
    {
        await Task.Yield();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ConsultationsDbContext>();
            var row = await db.LiveExaminationPackages.AsNoTracking().FirstOrDefaultAsync(p => p.ConsultationId == consultationId);
            if (row is null)
            {
                return null;
            }

            var package = StoredPackageFormat.Read(row.Format, row.Content);
            Interlocked.Increment(ref _liveLoaded);
            LogLiveLoaded(consultationId, package.Total, row.ComputedAt.ToString());
            return new Computed(package, row.ComputedAt.ToDateTimeOffset(), Final: false);
        }
        catch (Exception ex) when (ex is DbException or InvalidDataException or InvalidOperationException or TimeoutException)
        {
            // Without it this instance computes its first package, as it did before the table existed.
            LogLiveUnavailable(consultationId, ex.GetType().Name);
            return null;
        }
    }

    /// <summary>The closed consultation's last open package is of no more use (best effort: a row left behind is only bytes).</summary>
    private async Task ForgetLiveAsync(ConsultationsDbContext db, Guid consultationId)
    {
        try
        {
            await db.LiveExaminationPackages.Where(p => p.ConsultationId == consultationId).ExecuteDeleteAsync();
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException or TimeoutException)
        {
            LogLiveNotDeleted(consultationId, ex.GetType().Name);
        }
    }

    /// <summary>Saves a large open consultation's package for instances that start later, unless the saved one covers more responses.</summary>
    private async Task SaveLiveAsync(Guid consultationId, ExaminationPackage package)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ConsultationsDbContext>();
            var now = Instant.FromDateTimeOffset(time.GetUtcNow());
            var row = await db.LiveExaminationPackages.FirstOrDefaultAsync(p => p.ConsultationId == consultationId);
            if (row is null)
            {
                db.LiveExaminationPackages.Add(LiveExaminationPackage.Of(consultationId, package, now));
            }
            else if (!row.Replace(package, now))
            {
                return;
            }

            await db.SaveChangesAsync();
        }
        catch (Exception ex) when (ex is DbException or DbUpdateException or InvalidOperationException or TimeoutException)
        {
            // Another instance saved one at the same moment, or the database is away: the next refresh saves again.
            LogLiveNotSaved(consultationId, ex.GetType().Name);
        }
    }

    /// <summary>
    /// The closed consultation's package: from the store, else computed (or the kept one that covers
    /// the same responses) and stored. <paramref name="patient"/>: nobody waits for it (readers are
    /// given the open consultation's last package), so while another instance's close is younger
    /// than <see cref="ExaminationRefresher.OthersGrace"/> the store is read again every second
    /// instead of computing what that instance is computing.
    /// </summary>
    private async Task<Computed> ObtainFinalAsync(Slot slot, Consultation consultation, bool forReader, bool patient)
    {
        var stored = await LoadAsync(consultation);
        if (stored is null && slot.Current is { Final: false } last && last.Count == consultation.PublishedResponseCount)
        {
            // Responses are only ever added, so a package over as many responses is over the same ones:
            // stored without computing (or the one another instance stored first).
            return Final(slot, await StoreAsync(consultation, last.Package, 0) ?? last with { Final = true });
        }

        while (stored is null && patient && !_closedByThisInstance.ContainsKey(consultation.Id)
            && consultation.ClosedAt is { } closedAt && time.GetUtcNow() - closedAt.ToDateTimeOffset() < ExaminationRefresher.OthersGrace)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), time);
            stored = await LoadAsync(consultation);
        }

        if (stored is not null)
        {
            return Final(slot, stored);
        }

        var (package, milliseconds) = await ComputeAsync(consultation.Id, forReader);
        LogComputed(consultation.Id, package.Total, milliseconds, forReader ? "a reader" : "the refresher");
        if (package.Total != consultation.PublishedResponseCount)
        {
            // The close fixed the count from the log; a package that disagrees is served, never stored.
            LogDisagrees(consultation.Id, package.Total, consultation.PublishedResponseCount);
            return Final(slot, new Computed(package, time.GetUtcNow(), Final: true));
        }

        return Final(slot, await StoreAsync(consultation, package, milliseconds) ?? new Computed(package, time.GetUtcNow(), Final: true));
    }

    /// <summary>Keeps a closed consultation's package; no open one replaces it after (see <see cref="ComputeOpenAsync"/>).</summary>
    private static Computed Final(Slot slot, Computed final)
    {
        lock (slot)
        {
            slot.Current = final;
        }

        return final;
    }

    /// <summary>The stored package of a closed consultation, or null when there is none (or it does not cover the final checkpoint).</summary>
    private async Task<Computed?> LoadAsync(Consultation consultation)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsultationsDbContext>();
        var row = await db.ExaminationPackages.AsNoTracking().FirstOrDefaultAsync(p => p.ConsultationId == consultation.Id);
        if (row is null)
        {
            return null;
        }

        try
        {
            var package = StoredPackageFormat.Read(row.Format, row.Content);
            if (row.Size == consultation.PublishedResponseCount && package.Total == row.Size && row.ResponsesDigest == (consultation.ResponsesDigest ?? ""))
            {
                Interlocked.Increment(ref _loaded);
                LoadedCounter.Add(1);
                LogLoaded(consultation.Id, row.Size);
                return new Computed(package, row.ComputedAt.ToDateTimeOffset(), Final: true, InStore: true);
            }
        }
        catch (InvalidDataException ex)
        {
            LogUnreadable(consultation.Id, ex.Message);
            return null;
        }

        LogDisagrees(consultation.Id, row.Size, consultation.PublishedResponseCount);
        return null;
    }

    /// <summary>Stores the package; when another instance stored one first, that one (null if it cannot be read).</summary>
    private async Task<Computed?> StoreAsync(Consultation consultation, ExaminationPackage package, long milliseconds)
    {
        var now = time.GetUtcNow();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ConsultationsDbContext>();
            db.ExaminationPackages.Add(StoredExaminationPackage.Of(consultation.Id, consultation.ResponsesDigest ?? "", package, Instant.FromDateTimeOffset(now), milliseconds));
            await db.SaveChangesAsync();
            Interlocked.Increment(ref _stored);
            StoredCounter.Add(1);
            LogStored(consultation.Id, package.Total);
            await ForgetLiveAsync(db, consultation.Id);
            return new Computed(package, now, Final: true, InStore: true);
        }
        catch (DbUpdateException)
        {
            // Another instance stored it first (the consultation's key): serve what it stored.
            return await LoadAsync(consultation);
        }
    }

    private async Task<(ExaminationPackage Package, long Milliseconds)> ComputeAsync(Guid consultationId, bool forReader)
    {
        await _oneAtATime.WaitAsync();
        try
        {
            var started = time.GetTimestamp();
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ConsultationsDbContext>();
            var builder = new ExaminationPackage.Builder();
            await foreach (var facts in db.Responses.AsNoTracking()
                .Where(r => r.ConsultationId == consultationId && r.Published)
                .InReceiptOrder()
                .Select(r => new ResponseFacts(r.Id, r.TrackingNumber, r.Channel, r.RespondentCategory, r.RespondentCountryCode, r.Text))
                .AsAsyncEnumerable())
            {
                builder.Add(facts);
            }

            var package = builder.Build();
            var milliseconds = time.GetElapsedTime(started).TotalMilliseconds;
            Interlocked.Increment(ref _computations);
            if (forReader)
            {
                Interlocked.Increment(ref _computationsForReaders);
            }

            var cause = new KeyValuePair<string, object?>("cause", forReader ? "reader" : "background");
            ComputationsCounter.Add(1, cause);
            ComputationDuration.Record(milliseconds, cause);
            return (package, (long)milliseconds);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private void Trim()
    {
        var over = _slots.Count - Kept;
        if (over <= 0)
        {
            return;
        }

        foreach (var (id, _) in _slots.Where(s => s.Value.Computing is null && s.Value.Final is null or { IsCompleted: true })
                     .OrderBy(s => s.Value.LastUsed).Take(over).ToList())
        {
            _slots.TryRemove(id, out _);
        }
    }

    private sealed class Slot
    {
        public volatile Computed? Current;

        /// <summary>The open consultation's computation in progress.</summary>
        public Task<Computed>? Computing;

        /// <summary>The closed consultation's package, loaded or computed and stored (kept once done).</summary>
        public Task<Computed>? Final;

        /// <summary>The large open consultation's last package read from <c>LiveExaminationPackages</c> (once per slot).</summary>
        public Task<Computed?>? Live;

        public DateTimeOffset LastUsed;

        /// <summary>When a reader last asked for it on this instance (never: the refresher keeps its first package only).</summary>
        public DateTimeOffset LastRead = DateTimeOffset.MinValue;
    }

    /// <param name="InStore">A final package the store holds (this instance wrote it or read it).</param>
    private sealed record Computed(ExaminationPackage Package, DateTimeOffset At, bool Final, bool InStore = false)
    {
        /// <summary>When its computation started (<see cref="TimeProvider.GetTimestamp"/>).</summary>
        public long Timestamp { get; init; }

        /// <summary>How long its computation took.</summary>
        public TimeSpan Duration { get; init; }

        public int Count => Package.Total;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Examination package of consultation {ConsultationId} computed over {Count} responses in {Milliseconds} ms, for {Cause}")]
    private partial void LogComputed(Guid consultationId, int count, long milliseconds, string cause);

    [LoggerMessage(Level = LogLevel.Information, Message = "Examination package of open consultation {ConsultationId} over {Count} responses, computed at {ComputedAt}, read from LiveExaminationPackages")]
    private partial void LogLiveLoaded(Guid consultationId, int count, string computedAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Last examination package of consultation {ConsultationId} not read ({Error}): computed instead")]
    private partial void LogLiveUnavailable(Guid consultationId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Last examination package of consultation {ConsultationId} not saved ({Error}); saved at its next computation")]
    private partial void LogLiveNotSaved(Guid consultationId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Last open examination package of closed consultation {ConsultationId} not deleted ({Error})")]
    private partial void LogLiveNotDeleted(Guid consultationId, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Examination package of closed consultation {ConsultationId} over {Count} responses stored")]
    private partial void LogStored(Guid consultationId, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Examination package of closed consultation {ConsultationId} over {Count} responses read from the store")]
    private partial void LogLoaded(Guid consultationId, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Examination package of closed consultation {ConsultationId} covers {Count} responses, its final checkpoint {Final}: served, not stored")]
    private partial void LogDisagrees(Guid consultationId, int count, int final);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stored examination package of consultation {ConsultationId} cannot be read ({Problem}): computed again, not replaced")]
    private partial void LogUnreadable(Guid consultationId, string problem);
}
