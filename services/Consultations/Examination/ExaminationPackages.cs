using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Wsis.Consultations.Data;
using Wsis.Consultations.Model;

namespace Wsis.Consultations.Examination;

/// <summary>
/// The examination package of each consultation (counts and similar texts over every published
/// response), computed once and kept by this instance, because computing it reads every response's
/// text: measured at 81,796 responses, four anonymous readers of GetConsultationResults kept a
/// Consultations instance busy for 50 s per answer when each call computed its own.
/// </summary>
/// <remarks>
/// A closed consultation's published responses never change, so its package is computed once. An
/// open one's is computed again when its count of published responses changed, except that from
/// <c>Consultations:LiveCount:CacheFrom</c> responses on (10,000) a package up to
/// <c>Consultations:Results:MaxAgeSeconds</c> old (60) is served, and while one is computed the
/// previous one is served to everyone else. One consultation's package is computed by one call at
/// a time (the others wait for it), and one package at a time in this instance, so no number of
/// readers can take more than one core; the computation streams the responses and keeps no text.
/// At most <see cref="Kept"/> packages are kept, the least recently used dropped first.
/// </remarks>
public sealed partial class ExaminationPackages(IServiceScopeFactory scopes, TimeProvider time, IOptions<ConsultationsOptions> options, ILogger<ExaminationPackages> logger)
{
    /// <summary>How many consultations' packages this instance keeps.</summary>
    public const int Kept = 32;

    private readonly ConcurrentDictionary<Guid, Slot> _slots = new();
    private long _computations;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly int _largeFrom = options.Value.LiveCount.CacheFrom;
    private readonly TimeSpan _maxAge = TimeSpan.FromSeconds(Math.Max(0, options.Value.Results.MaxAgeSeconds));

    /// <summary>How many packages this instance has computed (what the tests and logs count).</summary>
    public long Computations => Interlocked.Read(ref _computations);

    /// <summary>The package of <paramref name="consultation"/>, which has <paramref name="publishedCount"/> published responses now.</summary>
    public async Task<ExaminationPackage> GetAsync(Consultation consultation, int publishedCount, CancellationToken cancellationToken)
    {
        var slot = _slots.GetOrAdd(consultation.Id, _ => new Slot());
        slot.LastUsed = time.GetUtcNow();
        var known = slot.Current;
        // Only a package that was itself over a large consultation stands in for a newer count.
        var large = publishedCount >= _largeFrom && known?.Count >= _largeFrom;
        if (known is not null && (known.Count == publishedCount
            || (consultation.State == ConsultationState.Open && large && time.GetUtcNow() - known.At < _maxAge)))
        {
            return known.Package;
        }

        Task<Computed> computing;
        lock (slot)
        {
            computing = slot.Computing ??= ComputeAsync(slot, consultation.Id);
        }

        // A large package being brought up to date: the previous one meanwhile.
        if (large && consultation.State == ConsultationState.Open && known is not null)
        {
            return known.Package;
        }

        return (await computing.WaitAsync(cancellationToken)).Package;
    }

    private async Task<Computed> ComputeAsync(Slot slot, Guid consultationId)
    {
        // Off the caller's thread and cancellation: a reader who leaves does not waste the work for the next.
        await Task.Yield();
        try
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

                var computed = new Computed(builder.Build(), time.GetUtcNow());
                Interlocked.Increment(ref _computations);
                slot.Current = computed;
                LogComputed(consultationId, computed.Count, (long)time.GetElapsedTime(started).TotalMilliseconds);
                return computed;
            }
            finally
            {
                _oneAtATime.Release();
            }
        }
        finally
        {
            lock (slot)
            {
                slot.Computing = null;
            }

            Trim();
        }
    }

    private void Trim()
    {
        var over = _slots.Count - Kept;
        if (over <= 0)
        {
            return;
        }

        foreach (var (id, _) in _slots.Where(s => s.Value.Computing is null).OrderBy(s => s.Value.LastUsed).Take(over).ToList())
        {
            _slots.TryRemove(id, out _);
        }
    }

    private sealed class Slot
    {
        public volatile Computed? Current;

        public Task<Computed>? Computing;

        public DateTimeOffset LastUsed;
    }

    private sealed record Computed(ExaminationPackage Package, DateTimeOffset At)
    {
        public int Count => Package.Total;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Examination package of consultation {ConsultationId} computed over {Count} responses in {Milliseconds} ms")]
    private partial void LogComputed(Guid consultationId, int count, long milliseconds);
}
