using System.Collections.Concurrent;
using MassTransit;
using Wsis.Contracts.Events;

namespace Wsis.Teams.Tests.Api;

/// <summary>
/// Another service, as far as the bus can tell: its own MassTransit bus on the same RabbitMQ,
/// its own queue, consuming every event Teams raises. Nothing is shared with the Teams host but
/// the broker and the contracts.
/// </summary>
public sealed class EventConsumerHost : IAsyncDisposable
{
    private readonly IBusControl _bus;
    private readonly ConcurrentQueue<object> _received = new();
    private readonly SemaphoreSlim _arrived = new(0);

    private EventConsumerHost(Uri rabbitMq, string queue)
    {
        _bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(rabbitMq);
            cfg.ReceiveEndpoint(queue, e =>
            {
                e.AutoDelete = true;
                Record<StakeholderRegistered>(e);
                Record<TeamCreated>(e);
                Record<TeamMembershipChanged>(e);
                Record<CoordinatorDesignated>(e);
                Record<CoordinatorsMeetingConvened>(e);
                Record<OfficersElected>(e);
                Record<StocktakingProceduresSet>(e);
            });
        });
    }

    private void Record<T>(IRabbitMqReceiveEndpointConfigurator endpoint) where T : class =>
        endpoint.Handler<T>(context =>
        {
            _received.Enqueue(context.Message);
            _arrived.Release();
            return Task.CompletedTask;
        });

    public static async Task<EventConsumerHost> StartAsync(string rabbitMqConnectionString)
    {
        var host = new EventConsumerHost(new Uri(rabbitMqConnectionString), "teams-tests-consumer-" + Guid.NewGuid().ToString("N")[..8]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await host._bus.StartAsync(timeout.Token);
        return host;
    }

    /// <summary>Waits for the first event of type <typeparamref name="T"/> that matches.</summary>
    public async Task<T> WaitFor<T>(Func<T, bool> match, TimeSpan? within = null) where T : class
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            if (_received.OfType<T>().FirstOrDefault(match) is { } found)
                return found;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"no {typeof(T).Name} event arrived; received: {string.Join(", ", _received.Select(e => e.GetType().Name))}");
            await _arrived.WaitAsync(left < TimeSpan.FromMilliseconds(500) ? left : TimeSpan.FromMilliseconds(500));
        }
    }

    /// <summary>How many events of type <typeparamref name="T"/> that match have arrived so far.</summary>
    public int Count<T>(Func<T, bool> match) where T : class => _received.OfType<T>().Count(match);

    public async ValueTask DisposeAsync()
    {
        await _bus.StopAsync();
        _arrived.Dispose();
    }
}
