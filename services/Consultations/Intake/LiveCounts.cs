using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Wsis.Consultations.Data;
using Wsis.Consultations.Model;

namespace Wsis.Consultations.Intake;

/// <summary>
/// The count of an open consultation's published responses as its page and the consultation
/// lists show it. Counting reads every index entry of the consultation (about 120 ms at 300,000
/// responses, on every view of its page), so a count of at least
/// <c>Consultations:LiveCount:CacheFrom</c> responses is reused by this instance for
/// <c>Consultations:LiveCount:MaxAgeSeconds</c>; smaller counts are exact at every read. When a
/// reused count expires, one caller counts again while the others are given the previous count,
/// for at most three more ages (a recount that failed or was abandoned is then retried).
/// </summary>
public sealed class LiveCounts(TimeProvider time, IOptions<ConsultationsOptions> options)
{
    private readonly ConcurrentDictionary<Guid, Entry> _entries = new();
    private readonly int _cacheFrom = options.Value.LiveCount.CacheFrom;
    private readonly TimeSpan _maxAge = TimeSpan.FromSeconds(Math.Max(0, options.Value.LiveCount.MaxAgeSeconds));

    /// <summary>
    /// The count of published responses of each OPEN consultation given (a closed one's count was
    /// fixed at the close): reused when large and recent, else counted.
    /// </summary>
    public async Task<IReadOnlyDictionary<Guid, int>> PublishedCountsAsync(ConsultationsDbContext db, IEnumerable<Consultation> consultations, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<Guid, int>();
        var toCount = new List<Guid?>();
        foreach (var consultation in consultations.Where(c => c.State == ConsultationState.Open))
        {
            if (TryGet(consultation.Id, out var count))
            {
                counts[consultation.Id] = count;
            }
            else
            {
                toCount.Add(consultation.Id);
            }
        }

        if (toCount.Count == 0)
        {
            return counts;
        }

        var counted = await db.Responses.AsNoTracking().Where(r => r.Published && toCount.Contains(r.ConsultationId))
            .GroupBy(r => r.ConsultationId).Select(g => new { Id = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Id!.Value, g => g.Count, cancellationToken);
        foreach (var id in toCount)
        {
            counts[id!.Value] = counted.GetValueOrDefault(id.Value);
            Remember(id.Value, counts[id.Value]);
        }

        return counts;
    }

    /// <summary>True with a count this instance read recently; false when the caller must count.</summary>
    public bool TryGet(Guid consultationId, out int count)
    {
        count = 0;
        if (_maxAge <= TimeSpan.Zero || !_entries.TryGetValue(consultationId, out var entry))
        {
            return false;
        }

        var age = time.GetUtcNow() - entry.At;
        if (age < _maxAge || (age < 4 * _maxAge && Interlocked.CompareExchange(ref entry.Recounting, 1, 0) != 0))
        {
            count = entry.Count;
            return true;
        }

        // This caller counts: it is the first to see the count expired, or the caller that was has
        // not brought a new count back within four ages (its query failed or was cancelled).
        return false;
    }

    /// <summary>Keeps a count just read for reuse when it is large enough to be worth it.</summary>
    public void Remember(Guid consultationId, int count)
    {
        if (_maxAge > TimeSpan.Zero && count >= _cacheFrom)
        {
            _entries[consultationId] = new Entry(count, time.GetUtcNow());
        }
        else
        {
            _entries.TryRemove(consultationId, out _);
        }
    }

    private sealed class Entry(int count, DateTimeOffset at)
    {
        public int Count { get; } = count;

        public DateTimeOffset At { get; } = at;

        public int Recounting;
    }
}
