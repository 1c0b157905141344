using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Platform.Data;
using Platform.ServiceDefaults;
using Xunit;

namespace Platform.Tests.ServiceDefaults;

/// <summary>/healthz says the process is up; /readyz says whether its dependencies answer.</summary>
public sealed class HealthEndpointTests
{
    [Fact]
    public async Task Readiness_follows_the_database_and_liveness_does_not()
    {
        var folder = Directory.CreateTempSubdirectory("health-").FullName;
        var configuration = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Ledger"] = $"Data Source={Path.Combine(folder, "ledger.db")}",
        };
        await using (var host = await TestWebHost.StartAsync(configuration, configure: b => b.AddServiceDatabase<LedgerDb>("Ledger", migrateOnStart: false)))
        {
            // A SQLite database that does not exist yet is not ready; migrating creates it.
            using (var before = await host.Client.GetAsync("/readyz"))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, before.StatusCode);
            }

            await host.App.MigrateDatabaseAsync<LedgerDb>();

            Assert.Equal("Healthy", await host.Client.GetStringAsync("/healthz"));
            Assert.Equal("Healthy", await host.Client.GetStringAsync("/readyz"));
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Readiness_fails_while_the_database_is_unreachable_but_liveness_holds()
    {
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        var configuration = new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:Ledger"] = "Host=127.0.0.1;Port=1;Username=x;Password=y;Timeout=3",
        };
        await using var host = await TestWebHost.StartAsync(configuration, configure: b => b.AddServiceDatabase<LedgerDb>("Ledger", migrateOnStart: false));

        using var live = await host.Client.GetAsync("/healthz");
        using var ready = await host.Client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("Unhealthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Defaults_added_and_mapped_twice_as_the_embedded_host_does_still_answer()
    {
        await using var host = await TestWebHost.StartAsync(new Dictionary<string, string?>(),
            configure: b => b.AddServiceDefaults(),
            map: app => app.MapServiceDefaults());

        Assert.Equal("Healthy", await host.Client.GetStringAsync("/healthz"));
    }

    [Fact]
    public async Task A_failing_gRPC_request_gets_no_problem_details_body_while_JSON_clients_do()
    {
        await using var host = await TestWebHost.StartAsync(new Dictionary<string, string?>(), "Development",
            map: app => app.MapPost("/boom", (HttpContext _) => Results.Problem("went wrong", statusCode: 500)));

        using var grpc = new HttpRequestMessage(HttpMethod.Post, "/boom") { Content = new ByteArrayContent([0, 0, 0, 0, 0]) };
        grpc.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        using var grpcResponse = await host.Client.SendAsync(grpc);
        using var json = await host.Client.PostAsync("/boom", new StringContent("{}", new MediaTypeHeaderValue("application/json")));

        Assert.Equal(HttpStatusCode.InternalServerError, grpcResponse.StatusCode);
        Assert.Empty(await grpcResponse.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.InternalServerError, json.StatusCode);
        Assert.Contains("went wrong", await json.Content.ReadAsStringAsync());
    }
}
