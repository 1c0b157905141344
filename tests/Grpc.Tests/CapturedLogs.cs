using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Grpc.Tests;

/// <summary>Keeps what the server logs, so that tests can check what an operator would see.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<Entry> _entries = new();

    public sealed record Entry(string Category, LogLevel Level, EventId EventId, string Message);

    public IReadOnlyList<Entry> Entries => _entries.ToArray();

    /// <summary>Waits until an entry matches (logging may happen after the client saw the call end).</summary>
    public async Task<Entry> WaitForAsync(Func<Entry, bool> match, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_entries.FirstOrDefault(match) is { } found) return found;
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting for a log entry: {what}. Logged: "
                    + string.Join(" | ", _entries.Select(e => $"{e.Level} {e.Message}")));
            }
            await Task.Delay(50);
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._entries.Enqueue(new Entry(category, logLevel, eventId, formatter(state, exception)));
    }
}
