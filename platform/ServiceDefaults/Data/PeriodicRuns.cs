namespace Platform.Data;

/// <summary>The schedule of a background clean-up (idempotency records, outbox and inbox rows).</summary>
public static class PeriodicRuns
{
    /// <summary>
    /// Runs <paramref name="run"/> after <paramref name="firstDelay"/>, then once every
    /// <paramref name="interval"/> until <paramref name="stoppingToken"/> is cancelled. A run that
    /// fails is handed to <paramref name="failed"/> (to be logged) and the next one comes an
    /// interval later.
    /// </summary>
    public static async Task RunAsync(
        TimeSpan firstDelay, TimeSpan interval, Func<CancellationToken, Task> run, Action<Exception> failed, CancellationToken stoppingToken)
    {
        var delay = firstDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(delay, stoppingToken);
                delay = interval;
                await run(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failed(ex);
            }
        }
    }
}
