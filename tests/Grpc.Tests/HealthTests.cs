using Grpc.Core;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.Extensions.DependencyInjection;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Grpc.Tests;

public class HealthTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Whole_server_is_serving_once_started()
    {
        await using var server = await TestServer.StartAsync();
        var client = new Grpc.Health.V1.Health.HealthClient(server.CreateChannel());
        var reply = await client.CheckAsync(new HealthCheckRequest());
        Assert.Equal(ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task Unknown_service_is_not_found()
    {
        await using var server = await TestServer.StartAsync();
        var client = new Grpc.Health.V1.Health.HealthClient(server.CreateChannel());
        var ex = await Assert.ThrowsAsync<RpcException>(() => client.CheckAsync(new HealthCheckRequest { Service = "nobody.v1.Nothing" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task Set_status_is_what_check_reports()
    {
        await using var server = await TestServer.StartAsync();
        var health = server.App.Services.GetRequiredService<HealthServiceImpl>();
        health.SetStatus("teams.v1.Teams", ServingStatus.NotServing);
        var client = new Grpc.Health.V1.Health.HealthClient(server.CreateChannel());
        Assert.Equal(ServingStatus.NotServing, (await client.CheckAsync(new HealthCheckRequest { Service = "teams.v1.Teams" })).Status);
        health.ClearStatus("teams.v1.Teams");
        await Assert.ThrowsAsync<RpcException>(() => client.CheckAsync(new HealthCheckRequest { Service = "teams.v1.Teams" }).ResponseAsync);
    }

    [Fact]
    public async Task Watch_sends_the_current_status_then_every_change()
    {
        await using var server = await TestServer.StartAsync();
        var health = server.App.Services.GetRequiredService<HealthServiceImpl>();
        var client = new Grpc.Health.V1.Health.HealthClient(server.CreateChannel());
        using var cts = new CancellationTokenSource(Wait);
        using var call = client.Watch(new HealthCheckRequest { Service = "reporting.v1.Reporting" }, cancellationToken: cts.Token);
        Assert.True(await call.ResponseStream.MoveNext(cts.Token));
        Assert.Equal(ServingStatus.ServiceUnknown, call.ResponseStream.Current.Status);
        health.SetStatus("reporting.v1.Reporting", ServingStatus.Serving);
        Assert.True(await call.ResponseStream.MoveNext(cts.Token));
        Assert.Equal(ServingStatus.Serving, call.ResponseStream.Current.Status);
        health.SetStatus("reporting.v1.Reporting", ServingStatus.NotServing);
        Assert.True(await call.ResponseStream.MoveNext(cts.Token));
        Assert.Equal(ServingStatus.NotServing, call.ResponseStream.Current.Status);
    }

    [Fact]
    public async Task Watch_ends_with_not_serving_when_the_server_stops()
    {
        var server = await TestServer.StartAsync();
        await using var _ = server;
        var client = new Grpc.Health.V1.Health.HealthClient(server.CreateChannel());
        using var call = client.Watch(new HealthCheckRequest());
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Wait));
        Assert.Equal(ServingStatus.Serving, call.ResponseStream.Current.Status);
        var stopping = server.App.StopAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Wait));
        Assert.Equal(ServingStatus.NotServing, call.ResponseStream.Current.Status);
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Wait));
        // Watch must not hold up a graceful shutdown.
        await stopping.WaitAsync(Wait);
    }
}
