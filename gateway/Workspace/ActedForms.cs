using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Caching.Distributed;

namespace Wsis.Gateway.Workspace;

/// <summary>
/// The request_id of a form whose service method takes none (LeaveTeam, SetImplementationFramework,
/// AssignResponse): the gateway remembers, for half an hour, which renderings of a form it has already
/// acted on, so a double click or a resent POST acts once and the second post is answered with the
/// first one's outcome. Posts of one rendering take turns (an in-process gate), and the outcome is kept
/// in <see cref="IDistributedCache"/> (in memory by default: several gateway instances need session
/// affinity or a shared cache, as for <see cref="SignIn.UnsentForms"/>).
/// </summary>
public sealed class ActedForms(IDistributedCache cache)
{
    public static readonly TimeSpan KeptFor = TimeSpan.FromMinutes(30);

    private readonly ConcurrentDictionary<string, SemaphoreSlim> gates = new(StringComparer.Ordinal);

    /// <summary>Runs <paramref name="act"/> unless this rendering (<paramref name="key"/>) was acted on
    /// already; returns the message of the first success, or null when <paramref name="act"/> ran now.</summary>
    public async Task<string?> OnceAsync(string key, Func<Task<string?>> act, CancellationToken cancel)
    {
        var gate = gates.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancel);
        try
        {
            if (await cache.GetAsync(CacheKey(key), cancel) is { } first)
            {
                return Encoding.UTF8.GetString(first);
            }

            if (await act() is { } done)
            {
                await cache.SetAsync(CacheKey(key), Encoding.UTF8.GetBytes(done),
                    new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = KeptFor }, cancel);
            }

            return null;
        }
        finally
        {
            gate.Release();
            // The outcome is in the cache now: a later post takes a new gate and finds it there. A post
            // already waiting on this gate still gets it (it is not disposed, only forgotten).
            gates.TryRemove(new KeyValuePair<string, SemaphoreSlim>(key, gate));
        }
    }

    private static string CacheKey(string key) => "wsis-acted-form:" + key;
}
