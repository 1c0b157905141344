using System.Diagnostics;
using Messaging.Dispatcher;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Platform.Messaging;
using Testing;
using Xunit;
using Xunit.Abstractions;

namespace Messaging.Tests;

/// <summary>
/// A consumer's receive endpoint that is not consuming while the broker is usable is restarted by
/// <see cref="ReceiveEndpointWatchdog"/> (real RabbitMQ, PostgreSQL). Not run beside
/// <see cref="OutboxInboxFaultTests"/>: its 20 s of refused declarations, restarts and rabbitmqctl
/// calls load the machine, and the group-commit test there needs its messages to arrive faster than
/// they are applied (seen once in CI: 297 pings in 297 transactions while this test ran).
/// </summary>
[Collection(BrokerFaults.Name)]
public sealed class ReceiveEndpointRecoveryTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Denied = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The broker drops the consumer's connection while its user may not declare anything in the
    /// virtual host (an operator's permission change), for 20 s: MassTransit's reconnections meet
    /// ACCESS_REFUSED on the queue's declaration and its back-off grows (5.6, 9.2, 17 s…). The
    /// permission is given back: without the watchdog the endpoint consumed again only at
    /// MassTransit's next attempt, 17.6 s later when this test was written with the watchdog off
    /// (up to 30 s, or never after an error outside its retry filter); with it (2 s here) the
    /// endpoint is restarted and an event raised afterwards is applied within seconds.
    /// </summary>
    [Fact]
    public async Task A_consumer_cut_off_for_20_s_consumes_again_within_seconds_of_the_broker_being_usable()
    {
        var result = await RunAsync(TimeSpan.FromSeconds(2));
        Assert.True(result.Recovered is not null, $"the event raised after the permission came back was not applied within {Patience.TotalSeconds:0} s");
        Assert.True(result.Recovered < TimeSpan.FromSeconds(10), $"applied {result.Recovered!.Value.TotalSeconds:0.0} s after the permission came back");
        Assert.True(result.Restarts >= 2, "the watchdog restarted the endpoint, then again on a new connection");
        Assert.True(result.ConnectionRecycles >= 1, "the watchdog replaced the host's connection when restarting the endpoint was not enough");
    }

    private async Task<(TimeSpan? Recovered, int Restarts, int ConnectionRecycles)> RunAsync(TimeSpan recoverAfter)
    {
        var postgres = await SharedPostgres.GetAsync();
        var rabbit = await SharedRabbitMq.GetAsync();
        var vhostUri = await rabbit.CreateVirtualHostAsync();
        var vhost = Uri.UnescapeDataString(new Uri(vhostUri).AbsolutePath.TrimStart('/'));
        var id = Guid.NewGuid().ToString("N")[..8];
        await using var consumer = await TestService.StartAsync(output, TestService.Postgres(await postgres.CreateDatabaseAsync()), vhostUri, $"consumer-{id}",
            consumes: true, o => o.ReceiveEndpointRecoverAfter = recoverAfter);
        await using var producer = await TestService.StartAsync(output, TestService.Postgres(await postgres.CreateDatabaseAsync()), vhostUri, $"producer-{id}",
            consumes: false);
        var watchdog = consumer.Services.GetRequiredService<ReceiveEndpointWatchdog>();

        await producer.WithDbAsync(db => db.RaisePingAsync("before", 1));
        await Eventually.UntilAsync(async () => await AppliedCountAsync(consumer) == 1, Patience, "the first event is applied");

        // No configure permission: connections open, declarations are refused.
        await rabbit.RunCtlAsync(["set_permissions", "-p", vhost, rabbit.UserName, "^$", ".*", ".*"]);
        await rabbit.RunCtlAsync(["close_all_connections", "-p", vhost, "test: permissions changed"]);
        await Eventually.UntilAsync(() => Task.FromResult(!watchdog.IsReady(consumer.Endpoint)), Patience, "the consumer's endpoint is down");
        await Task.Delay(Denied);
        Assert.False(watchdog.IsReady(consumer.Endpoint), "the endpoint cannot come back while it may not declare its queue");

        await rabbit.RunCtlAsync(["set_permissions", "-p", vhost, rabbit.UserName, ".*", ".*", ".*"]);
        var clock = Stopwatch.StartNew();
        output.WriteLine("permission given back");
        await producer.WithDbAsync(db => db.RaisePingAsync("after", 2));
        TimeSpan? recovered = null;
        while (clock.Elapsed < Patience)
        {
            if (await AppliedCountAsync(consumer) == 2)
            {
                recovered = clock.Elapsed;
                break;
            }
            await Task.Delay(100);
        }
        output.WriteLine($"recover after {recoverAfter.TotalSeconds:0.0} s: event applied {(recovered is null ? "never" : $"{recovered.Value.TotalSeconds:0.0} s")} after the permission came back; " +
            $"{watchdog.Restarts(consumer.Endpoint)} restarts, {watchdog.ConnectionRecycles} on a new connection");
        return (recovered, watchdog.Restarts(consumer.Endpoint), watchdog.ConnectionRecycles);
    }

    private static Task<int> AppliedCountAsync(TestService consumer) => consumer.WithDbAsync(db => db.AppliedPings.CountAsync());
}

/// <summary><c>Messaging:ReceiveEndpointRecoverAfter</c>: out-of-range values are refused by name; zero turns the watchdog off.</summary>
public sealed class ReceiveEndpointRecoverAfterSettingTests
{
    [Theory]
    [InlineData("-00:00:01")]
    [InlineData("2.00:00:00")]
    public void An_out_of_range_setting_is_refused_by_name(string value)
    {
        using var host = Build(value);
        var error = Assert.Throws<OptionsValidationException>(() =>
            host.Services.GetRequiredService<IOptionsMonitor<MessagingOptions>>().Get(typeof(FaultTestDb).FullName));
        Assert.Contains("ReceiveEndpointRecoverAfter between 0 (off) and 1 day", error.Message);
    }

    [Theory]
    [InlineData("00:00:00", 0)]
    [InlineData("00:00:07", 7)]
    public void Zero_turns_the_watchdog_off_and_a_positive_value_is_its_period(string value, int seconds)
    {
        using var host = Build(value);
        Assert.Equal(TimeSpan.FromSeconds(seconds), host.Services.GetRequiredService<ReceiveEndpointWatchdog>().RecoverAfter());
    }

    private static IHost Build(string recoverAfter)
    {
        var builder = Host.CreateApplicationBuilder();
        // The watchdog exists with RabbitMQ only; nothing connects until the host starts.
        builder.Configuration["ConnectionStrings:RabbitMq"] = "amqp://guest:guest@127.0.0.1:1/";
        builder.Configuration["Messaging:ReceiveEndpointRecoverAfter"] = recoverAfter;
        builder.Services.AddDbContext<FaultTestDb>(o => o.UseSqlite("Data Source=:memory:"));
        builder.AddMessaging<FaultTestDb>(m => m.AddHandler<PingHandler>());
        return builder.Build();
    }
}

/// <summary>Test classes that cut, refuse or overload the broker run one after the other.</summary>
[CollectionDefinition(Name)]
public sealed class BrokerFaults
{
    public const string Name = "broker faults";
}
