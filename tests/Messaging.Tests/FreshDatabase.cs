using Messaging.Dispatcher;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Testing;

namespace Messaging.Tests;

/// <summary>A migrated FaultTestDb on a new database of the shared PostgreSQL fixture, used directly (no host).</summary>
internal static class FreshDatabase
{
    public static async Task<FaultTestDb> OnPostgresAsync()
    {
        var postgres = await SharedPostgres.GetAsync();
        var options = new DbContextOptionsBuilder<FaultTestDb>().UseNpgsql(await postgres.CreateDatabaseAsync())
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning)).Options;
        var db = new FaultTestDb(options);
        await db.Database.MigrateAsync();
        return db;
    }
}
