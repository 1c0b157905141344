using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Platform.Data;
using Platform.ServiceDefaults;
using Xunit;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Platform.Tests.ServiceDefaults;

/// <summary>
/// grpc.health.v1 as every host serves it: the whole server is SERVING between start and stop,
/// a service's own name follows its database, an unknown name is NOT_FOUND, and a watcher hears
/// NOT_SERVING from the moment the server begins to stop, so balancers move away.
/// </summary>
public sealed class GrpcHealthTests
{
    private const string Service = "ledger.v1.Ledger";

    [Fact]
    public async Task The_whole_server_and_each_service_name_answer_and_stopping_reads_not_serving()
    {
        var folder = Directory.CreateTempSubdirectory("grpc-health-").FullName;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(o => o.Protocols = HttpProtocols.Http2));
        builder.Configuration["ConnectionStrings:Ledger"] = $"Data Source={Path.Combine(folder, "ledger.db")}";
        builder.AddServiceDefaults();
        builder.AddServiceDatabase<LedgerDb>("Ledger");
        builder.AddGrpcServiceHealth([Service], "database");
        var app = builder.Build();
        app.MapServiceDefaults();
        await app.StartAsync();

        using var channel = GrpcChannel.ForAddress(app.Urls.Single());
        var health = new Health.HealthClient(channel);
        Assert.Equal(ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);
        Assert.Equal(ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = Service })).Status);
        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await health.CheckAsync(new HealthCheckRequest { Service = "nobody.v1.Nothing" }));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);

        // The service's database goes away: its name reads NOT_SERVING.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
        Assert.Equal(ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest { Service = Service })).Status);
        Directory.CreateDirectory(folder);
        await app.MigrateDatabaseAsync<LedgerDb>();
        Assert.Equal(ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = Service })).Status);

        // A balancer watching the server hears NOT_SERVING as soon as it begins to stop, and the
        // watch ends, so it does not hold up the shutdown.
        using var watch = health.Watch(new HealthCheckRequest());
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(ServingStatus.Serving, watch.ResponseStream.Current.Status);
        var stopping = app.StopAsync();
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(ServingStatus.NotServing, watch.ResponseStream.Current.Status);
        Assert.False(await watch.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
        await app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }
}
