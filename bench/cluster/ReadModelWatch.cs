using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;

namespace Wsis.Cluster.Bench;

/// <summary>Watches Reporting's read model (table "ConsultationResponses") for the responses the
/// benchmark was given receipts for, and records when each was first seen. Only the responses
/// not yet seen are asked for, so a poll stays cheap while the pipeline keeps up. The recorded
/// time is when the poll that found the row returned: at most one interval plus one query late.</summary>
public sealed class ReadModelWatch : IAsyncDisposable
{
    private const int Chunk = 5000;
    private readonly NpgsqlDataSource _reporting;
    private readonly ConcurrentDictionary<string, Submitted> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _polls;

    private readonly string _consultationId;
    private long _seen;

    public ReadModelWatch(string reportingConnectionString, string consultationId)
    {
        _consultationId = consultationId;
        _reporting = NpgsqlDataSource.Create(reportingConnectionString);
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Poll interval while few are pending; 50 ms from 500 pending (sustained intake at
    /// about 2,000/s with a second of lag: a poll asks for ~2,000 ids, 2–5 ms of the database's
    /// time, which every 25 ms was about 3 % of the 2-core machine, the cluster's own CPU), and
    /// 250 ms when thousands are (a burst), so the watch does not become the database's main load.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMilliseconds(25);

    public int Pending => _pending.Count;

    /// <summary>False while a burst drains: instead of asking for tens of thousands of ids every
    /// poll, count the consultation's rows and ask for the ids once the count says all are there.
    /// Per-response times are then only the time the last one arrived.</summary>
    public bool PerResponse { get; set; } = true;

    public long Polls => Interlocked.Read(ref _polls);

    public void Watch(Submitted s) => _pending[s.Receipt!.ResponseId] = s;

    /// <summary>True when every watched response was seen within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitAllVisibleAsync(TimeSpan timeout)
    {
        var since = Stopwatch.GetTimestamp();
        while (!_pending.IsEmpty)
        {
            if (Stopwatch.GetElapsedTime(since) > timeout || _loop.IsCompleted)
            {
                return false;
            }
            await Task.Delay(20);
        }
        return true;
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var ids = _pending.Keys.ToArray();
            try
            {
                if (PerResponse || ids.Length == 0 || await CountAsync() >= Interlocked.Read(ref _seen) + ids.Length)
                {
                    await PollAsync(ids);
                }
            }
            catch (NpgsqlException e)
            {
                Console.Error.WriteLine($"read-model watch: poll failed ({e.Message}); polling again");
            }
            catch (OperationCanceledException)
            {
                break;
            }
            Interlocked.Increment(ref _polls);
            try
            {
                await Task.Delay(ids.Length > 2000 ? TimeSpan.FromMilliseconds(250) : ids.Length > 500 ? TimeSpan.FromMilliseconds(50) : Interval, _stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private async Task PollAsync(string[] ids)
    {
        for (var i = 0; i < ids.Length; i += Chunk)
        {
            await using var command = _reporting.CreateCommand("""SELECT "ResponseId" FROM "ConsultationResponses" WHERE "ResponseId" = ANY($1)""");
            command.Parameters.Add(new NpgsqlParameter { Value = ids[i..Math.Min(ids.Length, i + Chunk)] });
            var found = new List<string>();
            await using (var reader = await command.ExecuteReaderAsync(_stop.Token))
            {
                while (await reader.ReadAsync(_stop.Token))
                {
                    found.Add(reader.GetString(0));
                }
            }
            var now = Stopwatch.GetTimestamp();
            foreach (var id in found)
            {
                if (_pending.TryRemove(id, out var s))
                {
                    Interlocked.Increment(ref _seen);
                    s.Visible = now;
                }
            }
        }
    }

    private async Task<long> CountAsync()
    {
        await using var command = _reporting.CreateCommand("SELECT count(*) FROM \"ConsultationResponses\" WHERE \"ConsultationId\" = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = _consultationId });
        return (long)(await command.ExecuteScalarAsync(_stop.Token))!;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        await _reporting.DisposeAsync();
        _stop.Dispose();
    }
}
