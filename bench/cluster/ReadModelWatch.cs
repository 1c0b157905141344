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

    public ReadModelWatch(string reportingConnectionString)
    {
        _reporting = NpgsqlDataSource.Create(reportingConnectionString);
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Poll interval while few are pending; 250 ms when thousands are (a burst), so the
    /// watch does not become the database's main load.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMilliseconds(25);

    public int Pending => _pending.Count;

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
                await PollAsync(ids);
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
                await Task.Delay(ids.Length > 2000 ? TimeSpan.FromMilliseconds(250) : Interval, _stop.Token);
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
                    s.Visible = now;
                }
            }
        }
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
