using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Wsis.Consultations.Data;
using Wsis.Consultations.Model;

namespace Wsis.Consultations.Closing;

/// <summary>
/// A short-lived memory of each consultation's response window (state and deadline), so that a submission can be
/// refused early (unknown consultation, deadline passed) without a database round trip each time.
/// It only ever decides the early answer: whether a response is stored is decided again in the
/// writing transaction, under the lock that serialises it against the close, so a stale entry can
/// delay a refusal by at most <see cref="Lifetime"/>, never store a late response.
/// </summary>
public sealed class ConsultationDeadlines(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);
    private const int MaxEntries = 10_000;
    private readonly ConcurrentDictionary<Guid, Entry> _entries = new();

    public async Task<ResponseWindow?> GetAsync(ConsultationsDbContext db, Guid consultationId, CancellationToken cancellationToken)
    {
        var now = time.GetTimestamp();
        if (_entries.TryGetValue(consultationId, out var entry) && time.GetElapsedTime(entry.FetchedAt, now) < Lifetime)
        {
            return entry.Value;
        }

        var value = await db.Consultations.AsNoTracking()
            .Where(c => c.Id == consultationId)
            .Select(c => (ResponseWindow?)new ResponseWindow(c.State, c.ClosesAt))
            .FirstOrDefaultAsync(cancellationToken);
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear(); // guessed ids must not grow the memory without bound
        }

        _entries[consultationId] = new Entry(value, now);
        return value;
    }

    private sealed record Entry(ResponseWindow? Value, long FetchedAt);
}
