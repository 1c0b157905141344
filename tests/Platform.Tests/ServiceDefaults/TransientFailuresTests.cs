using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Platform.Data;
using Testing;
using Xunit;

namespace Platform.Tests.ServiceDefaults;

/// <summary>
/// What a real PostgreSQL outage looks like to a service: the failure is recognised as passing
/// (UNAVAILABLE, which clients retry), while a constraint violation is not.
/// </summary>
public sealed class TransientFailuresTests
{
    [Fact]
    public async Task A_stopped_database_is_unavailable_and_a_constraint_violation_is_not()
    {
        await using var cluster = await PostgresCluster.StartNewAsync();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production" });
        builder.Configuration["Database:Provider"] = "Postgres";
        builder.Configuration["ConnectionStrings:Ledger"] = await cluster.CreateDatabaseAsync();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddServiceDatabase<LedgerDb>("Ledger", migrateOnStart: false);
        using var host = builder.Build();
        await host.MigrateDatabaseAsync<LedgerDb>();

        var id = Guid.NewGuid();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LedgerDb>();
            db.Entries.Add(new LedgerEntry { Id = id, Text = "first" });
            await db.SaveChangesAsync();
        }

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LedgerDb>();
            db.Entries.Add(new LedgerEntry { Id = id, Text = "same key" });
            var duplicate = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
            Assert.False(TransientFailures.IsTransient(duplicate));
            Assert.Null(TransientFailures.ToStatus(duplicate));
        }

        await cluster.KillAsync();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LedgerDb>();
            var outage = await Assert.ThrowsAnyAsync<Exception>(() => db.Entries.CountAsync());
            Assert.True(TransientFailures.IsTransient(outage), outage.ToString());
            var status = TransientFailures.ToStatus(outage);
            Assert.Equal(StatusCode.Unavailable, status?.StatusCode);
            Assert.Contains("retry", status?.Detail);
        }

        Assert.False(TransientFailures.IsTransient(new InvalidOperationException("a bug")));
    }
}
