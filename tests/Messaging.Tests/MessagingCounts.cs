using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Platform.Messaging;

namespace Messaging.Tests;

/// <summary>Reads the platform's counters (meter Platform.Messaging) per endpoint; endpoints are unique per test.</summary>
internal static class MessagingCounts
{
    private static readonly ConcurrentDictionary<(string Instrument, string Endpoint), long> Totals = new();
    private static readonly MeterListener Listener = Start();

    private static MeterListener Start()
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == MessagingMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == MessagingMetrics.EndpointTag && tag.Value is string endpoint)
                {
                    Totals.AddOrUpdate((instrument.Name, endpoint), value, (_, total) => total + value);
                }
            }
        });
        listener.Start();
        return listener;
    }

    public static long Get(string instrument, string endpoint)
    {
        _ = Listener;
        return Totals.TryGetValue((instrument, endpoint), out var total) ? total : 0;
    }

    public static void Touch() => _ = Listener;

    public static long Published(string endpoint) => Get("messaging.outbox.published", endpoint);
    public static long PublishFailed(string endpoint) => Get("messaging.outbox.publish_failed", endpoint);
    public static long Delivered(string endpoint) => Get("messaging.inbox.delivered", endpoint);
    public static long Applied(string endpoint) => Get("messaging.inbox.applied", endpoint);
    public static long Duplicates(string endpoint) => Get("messaging.inbox.duplicates", endpoint);
    public static long Failed(string endpoint) => Get("messaging.inbox.failed", endpoint);
}

internal static class Eventually
{
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting until {what}.");
            }
            await Task.Delay(100);
        }
    }
}
