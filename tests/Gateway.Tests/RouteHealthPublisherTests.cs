using Grpc.HealthCheck;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Wsis.Gateway.Edge;
using Wsis.Gateway.Json;
using Wsis.Gateway.Proxy;
using Xunit;

namespace Wsis.Gateway.Tests;

/// <summary>The gateway's own grpc.health.v1 answers per public service.</summary>
public sealed class RouteHealthPublisherTests
{
    [Fact]
    public async Task Endpoints_are_read_only_once_the_application_has_started()
    {
        // Hosted services start before the web server, whose start adds the endpoint sources: the
        // publisher once read them meanwhile and, now and then, failed and stopped the gateway.
        var endpoints = new WatchedEndpoints();
        var lifetime = new Lifetime();
        using var proxy = new ProxyConfiguration(new StaticOptions(new ReverseProxyOptions()), NullLogger<ProxyConfiguration>.Instance);
        var health = new HealthServiceImpl();
        using var publisher = new RouteHealthPublisher(health, proxy, new ProtoCatalog(), endpoints, TimeProvider.System, lifetime);

        await publisher.StartAsync(CancellationToken.None);
        await Task.Delay(200);
        Assert.Equal(0, endpoints.Reads);

        lifetime.Start();
        var until = DateTime.UtcNow.AddSeconds(10);
        while (endpoints.Reads == 0 && DateTime.UtcNow < until)
        {
            await Task.Delay(20);
        }
        Assert.True(endpoints.Reads > 0, "the publisher did not publish after the application started");
        // No route for any service in this configuration: each is cleared, not reported as serving.
        var teams = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => health.Check(new Grpc.Health.V1.HealthCheckRequest { Service = "teams.v1.Teams" }, null!));
        Assert.Equal(Grpc.Core.StatusCode.NotFound, teams.StatusCode);

        await publisher.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_publisher_stopped_before_the_application_started_ends_without_reading()
    {
        var endpoints = new WatchedEndpoints();
        using var proxy = new ProxyConfiguration(new StaticOptions(new ReverseProxyOptions()), NullLogger<ProxyConfiguration>.Instance);
        using var publisher = new RouteHealthPublisher(new HealthServiceImpl(), proxy, new ProtoCatalog(), endpoints, TimeProvider.System, new Lifetime());

        await publisher.StartAsync(CancellationToken.None);
        await publisher.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, endpoints.Reads);
        // Ended (or never ran: .NET starts ExecuteAsync on the thread pool with the stopping token), not failed.
        Assert.True(publisher.ExecuteTask!.IsCompleted && !publisher.ExecuteTask.IsFaulted, $"ExecuteAsync ended {publisher.ExecuteTask.Status}");
    }

    private sealed class WatchedEndpoints : EndpointDataSource
    {
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public override IReadOnlyList<Endpoint> Endpoints
        {
            get
            {
                Interlocked.Increment(ref _reads);
                return [];
            }
        }

        public override IChangeToken GetChangeToken() => new CancellationChangeToken(CancellationToken.None);
    }

    private sealed class Lifetime : IHostApplicationLifetime
    {
        private readonly CancellationTokenSource _started = new();

        public CancellationToken ApplicationStarted => _started.Token;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void Start() => _started.Cancel();

        public void StopApplication()
        {
        }
    }

    private sealed class StaticOptions(ReverseProxyOptions value) : IOptionsMonitor<ReverseProxyOptions>
    {
        public ReverseProxyOptions CurrentValue => value;

        public ReverseProxyOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<ReverseProxyOptions, string?> listener) => null;
    }
}
