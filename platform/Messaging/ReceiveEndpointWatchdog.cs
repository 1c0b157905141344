using System.Collections.Concurrent;
using System.Diagnostics;
using MassTransit;
using MassTransit.RabbitMqTransport.Configuration;
using MassTransit.Transports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Platform.Messaging;

/// <summary>
/// Restarts a service's receive endpoint (its queue's consumer) that has stopped consuming while the
/// RabbitMQ broker accepts connections again.
/// <para>
/// MassTransit 8.4's receive transport reconnects by itself with a back-off that grows to 30 s and
/// is never reset after a successful reconnection, so after a few broker restarts every later
/// outage leaves the service deaf for up to 30 s after the broker is back. Worse, an exception
/// outside its retry filter (or a cancellation) during a reconnection ends the transport's loop for
/// good: the service then never consumes again, though the broker is up and nothing is logged
/// above Debug (the back-off is seen in this project's fault tests; the end of the loop is read in
/// MassTransit's source).
/// </para>
/// <para>
/// A third failure keeps the loop alive but useless: the host's shared connection can stay cached
/// after the broker closed it (most likely a close that came before MassTransit watched for it),
/// and every reconnection of the endpoint then fails on it with AlreadyClosedException, for good.
/// Seen in CI after RabbitMQ restarts that took 15–20 s: Reporting never consumed again and the
/// next tests on that cluster counted nothing; restarting the endpoint alone did not help.
/// </para>
/// <para>
/// The watchdog follows each endpoint's Ready / Faulted / Completed events. When one of the
/// service's endpoints has not been ready for <see cref="MessagingOptions.ReceiveEndpointRecoverAfter"/>,
/// counted from the moment the broker accepted this process's probe connection again, it stops the
/// endpoint and starts it anew (a new transport loop with a fresh back-off). If the endpoint is
/// still not ready one period after that, it first stops the host's connection supervisor (MassTransit
/// then opens a new connection for the next user) and restarts the endpoint again; so once per period
/// while the endpoint stays down. (Stopping and starting the whole bus does not work: in MassTransit
/// 8.4 its endpoints did not come back.) Messages are not lost: unacknowledged deliveries go back to
/// the queue, the inbox ignores one applied twice, and an outbox publish that fails on the replaced
/// connection is retried. Nothing is done while the broker is unreachable, nor while the host stops.
/// </para>
/// </summary>
internal sealed class ReceiveEndpointWatchdog(
    IServiceProvider services,
    BrokerHealthCheck broker,
    IOptionsMonitor<MessagingOptions> options,
    MessagingRegistry registry,
    IHostApplicationLifetime lifetime,
    ILogger<ReceiveEndpointWatchdog> logger) : BackgroundService, IReceiveEndpointObserver
{
    private readonly ConcurrentDictionary<string, Watched> _endpoints = new(StringComparer.Ordinal);
    private HashSet<string>? _names;

    /// <summary>Restarts so far, per endpoint name (tests and diagnostics).</summary>
    public int Restarts(string endpoint) => _endpoints.TryGetValue(endpoint, out var watched) ? watched.Restarts : 0;

    /// <summary>Times the host's connection was replaced so far (tests and diagnostics).</summary>
    public int ConnectionRecycles { get; private set; }

    /// <summary>Whether the endpoint's last event was Ready.</summary>
    public bool IsReady(string endpoint) => _endpoints.TryGetValue(endpoint, out var watched) && watched.Ready;

    /// <summary>The smallest positive setting among the process's services; zero when every one turned the watchdog off.</summary>
    internal TimeSpan RecoverAfter()
    {
        var positive = registry.DbContexts.Select(t => options.Get(t.FullName).ReceiveEndpointRecoverAfter).Where(t => t > TimeSpan.Zero).ToList();
        return positive.Count == 0 ? TimeSpan.Zero : positive.Min();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var recoverAfter = RecoverAfter();
        if (recoverAfter <= TimeSpan.Zero)
        {
            return;
        }
        var interval = TimeSpan.FromTicks(Math.Clamp(recoverAfter.Ticks / 3, TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.FromSeconds(5).Ticks));
        long? brokerBackSince = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(interval, stoppingToken);
                if (lifetime.ApplicationStopping.IsCancellationRequested)
                {
                    return;
                }
                var down = _endpoints.Values.Where(w => !w.Ready && w.Endpoint is not null).ToList();
                if (down.Count == 0)
                {
                    brokerBackSince = null;
                    continue;
                }
                if (await broker.ProbeAsync(stoppingToken) is not null)
                {
                    brokerBackSince = null;
                    continue;
                }
                var now = Stopwatch.GetTimestamp();
                brokerBackSince ??= now;
                foreach (var watched in down)
                {
                    var since = Math.Max(watched.NotReadySince, brokerBackSince.Value);
                    if (Stopwatch.GetElapsedTime(since, now) >= recoverAfter && !lifetime.ApplicationStopping.IsCancellationRequested)
                    {
                        await RestartAsync(watched, stoppingToken);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RestartAsync(Watched watched, CancellationToken stoppingToken)
    {
        var endpoint = watched.Endpoint!;
        var restart = watched.Restarts + 1;
        // The first attempt of an outage restarts the endpoint; the later ones replace the host's connection too.
        var newConnection = watched.RestartedSinceReady;
        Log.ReceiveEndpointRestarting(logger, watched.Name, Stopwatch.GetElapsedTime(watched.DownSince).TotalSeconds,
            newConnection ? "the endpoint on a new connection" : "the endpoint", restart);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            if (newConnection && services.GetService<IBusInstance>()?.HostConfiguration is IRabbitMqHostConfiguration host)
            {
                // Stopping the host's connection supervisor closes its connection (and the channels
                // on it); the next user, this endpoint's restart first, gets a new supervisor and a
                // new connection.
                await host.ConnectionContextSupervisor.Stop("receive-endpoint watchdog: a new connection", timeout.Token);
                ConnectionRecycles++;
            }
            await endpoint.Stop(timeout.Token);
            endpoint.Start(stoppingToken);
            watched.Restarts = restart;
            MessagingMetrics.EndpointRestarts.Add(1, MessagingMetrics.Tag(watched.Name), new("messaging.restart", newConnection ? "endpoint and connection" : "endpoint"));
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            Log.ReceiveEndpointRestartFailed(logger, watched.Name, $"{ex.GetType().Name}: {ex.Message}");
        }
        lock (watched)
        {
            // Restarted or not, the endpoint has a full period to become ready before the next
            // attempt, which then replaces the connection too.
            watched.NotReadySince = Stopwatch.GetTimestamp();
            watched.RestartedSinceReady = true;
        }
    }

    public Task Ready(ReceiveEndpointReady ready)
    {
        if (Find(ready) is { } watched)
        {
            lock (watched)
            {
                watched.Ready = true;
                watched.RestartedSinceReady = false;
            }
        }
        return Task.CompletedTask;
    }

    public Task Stopping(ReceiveEndpointStopping stopping) => NotReady(stopping);

    public Task Completed(ReceiveEndpointCompleted completed) => NotReady(completed);

    public Task Faulted(ReceiveEndpointFaulted faulted) => NotReady(faulted);

    private Task NotReady(ReceiveEndpointEvent @event)
    {
        if (Find(@event) is { } watched)
        {
            lock (watched)
            {
                if (watched.Ready)
                {
                    watched.Ready = false;
                    watched.NotReadySince = watched.DownSince = Stopwatch.GetTimestamp();
                }
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>The service endpoints only (the queues named in the registry), not the bus's own temporary one.</summary>
    private Watched? Find(ReceiveEndpointEvent @event)
    {
        var name = @event.InputAddress.AbsolutePath.TrimEnd('/');
        name = name[(name.LastIndexOf('/') + 1)..];
        _names ??= registry.Consumers().Select(c => options.Get(c.DbContext.FullName).Endpoint!).ToHashSet(StringComparer.Ordinal);
        if (!_names.Contains(name))
        {
            return null;
        }
        var watched = _endpoints.GetOrAdd(name, n => new Watched(n));
        watched.Endpoint = @event.ReceiveEndpoint;
        return watched;
    }

    private sealed class Watched(string name)
    {
        public string Name { get; } = name;
        public IReceiveEndpoint? Endpoint { get; set; }
        public bool Ready { get; set; }
        /// <summary>When the endpoint went down, or when it was last restarted.</summary>
        public long NotReadySince { get; set; } = Stopwatch.GetTimestamp();
        /// <summary>When the endpoint went down.</summary>
        public long DownSince { get; set; } = Stopwatch.GetTimestamp();
        public bool RestartedSinceReady { get; set; }
        public int Restarts { get; set; }
    }
}
