using System.Diagnostics;
using System.Net;

namespace Wsis.Cluster.Bench;

/// <summary>Public reads through the gateway's web port: a fixed number of clients request one
/// URL back to back for a few seconds; requests/s and latency percentiles of the complete answers.</summary>
public static class PageReads
{
    public sealed record Result(string What, int Concurrency, double Seconds, int Ok, int Failed, double PerSecond, double P50, double P99, double MeanKiB, string FailedAs);

    public static async Task<Result> RunAsync(string what, int concurrency, TimeSpan duration, Func<HttpClient, Task<HttpResponseMessage>> request)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, AutomaticDecompression = DecompressionMethods.None })
        {
            Timeout = TimeSpan.FromMinutes(2),
        };
        // One untimed request first: the gateway's first render compiles the page.
        using (var first = await request(http))
        {
            await first.Content.ReadAsByteArrayAsync();
        }
        var latencies = new List<double>();
        var failed = new Dictionary<string, int>();
        long bytes = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (clock.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                string? failure = null;
                long length = 0;
                try
                {
                    using var response = await request(http);
                    length = (await response.Content.ReadAsByteArrayAsync()).LongLength;
                    if (!response.IsSuccessStatusCode)
                    {
                        failure = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    failure = e.GetType().Name;
                }
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                lock (latencies)
                {
                    if (failure is null)
                    {
                        latencies.Add(ms);
                        bytes += length;
                    }
                    else
                    {
                        failed[failure] = failed.GetValueOrDefault(failure) + 1;
                    }
                }
            }
        }));
        var seconds = clock.Elapsed.TotalSeconds;
        var sorted = latencies.Order().ToArray();
        return new Result(what, concurrency, seconds, sorted.Length, failed.Values.Sum(), sorted.Length / seconds,
            Stats.Percentile(sorted, 0.50), Stats.Percentile(sorted, 0.99), sorted.Length == 0 ? 0 : bytes / 1024.0 / sorted.Length,
            failed.Count == 0 ? "none" : string.Join(", ", failed.Select(f => $"{f.Key}: {f.Value}")));
    }
}

public static class Stats
{
    /// <summary>Nearest-rank percentile of an ascending array; NaN when empty.</summary>
    public static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
}
