using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NodaTime;
using NodaTime.Extensions;
using Npgsql;
using Platform.Data;
using Platform.Messaging;
using Testing;
using Wsis.Reporting.Data;
using Wsis.Reporting.IntegrationEvents;
using Wsis.Reporting.Model;
using Wsis.Reporting.Tests.HandWrittenMigrations;
using Xunit;

namespace Wsis.Reporting.Tests;

/// <summary>The generated migrations (one set per provider) against the model and against databases made by the hand-written ones.</summary>
public sealed class MigrationTests
{
    [Fact]
    public void The_model_has_no_change_missing_from_the_SQLite_migrations()
    {
        using var db = new SqliteReportingDbContext(new DbContextOptionsBuilder<SqliteReportingDbContext>().UseSqlite("Data Source=:memory:").Options);
        Assert.False(db.Database.HasPendingModelChanges(), "run dotnet ef migrations add (services/Reporting/README.md)");
    }

    [Fact]
    public void The_model_has_no_change_missing_from_the_PostgreSQL_migrations()
    {
        // Comparing the model with the snapshot does not connect.
        using var db = new PostgresReportingDbContext(new DbContextOptionsBuilder<PostgresReportingDbContext>().UseNpgsql("Host=localhost;Database=unused").Options);
        Assert.False(db.Database.HasPendingModelChanges(), "run dotnet ef migrations add (services/Reporting/README.md)");
    }

    [Fact]
    public void Every_migration_comes_after_the_baseline_on_both_providers()
    {
        // Ids sort by their timestamp: one generated before the baseline's (2026-12-08) would run
        // before the tables it changes exist (services/Reporting/README.md, Migrations).
        using var sqlite = new SqliteReportingDbContext(new DbContextOptionsBuilder<SqliteReportingDbContext>().UseSqlite("Data Source=:memory:").Options);
        using var postgres = new PostgresReportingDbContext(new DbContextOptionsBuilder<PostgresReportingDbContext>().UseNpgsql("Host=localhost;Database=unused").Options);
        Assert.Equal("20261208000000_OutboxTraceContext", sqlite.Database.GetMigrations().First());
        Assert.Equal("20261208000000_OutboxTraceContext", postgres.Database.GetMigrations().First());
    }

    [Fact]
    public async Task A_SQLite_database_made_by_the_hand_written_migrations_keeps_every_row_and_gets_a_new_database_s_schema()
    {
        var old = SqliteFile();
        var fresh = SqliteFile();
        try
        {
            await UpgradeKeepsEverything(DatabaseProvider.Sqlite, old, fresh, c => new SqliteConnection(c));
        }
        finally
        {
            File.Delete(new SqliteConnectionStringBuilder(old).DataSource);
            File.Delete(new SqliteConnectionStringBuilder(fresh).DataSource);
        }
    }

    [Fact]
    public async Task A_PostgreSQL_database_made_by_the_hand_written_migrations_keeps_every_row_and_gets_a_new_database_s_schema()
    {
        var cluster = await SharedPostgres.GetAsync();
        await UpgradeKeepsEverything(DatabaseProvider.Postgres, await cluster.CreateDatabaseAsync(), await cluster.CreateDatabaseAsync(), c => new NpgsqlConnection(c));
    }

    private static async Task UpgradeKeepsEverything(DatabaseProvider provider, string oldDatabase, string freshDatabase, Func<string, DbConnection> connect)
    {
        // A database as the previous release left it: the hand-written migrations, then data in every table.
        var handWritten = new DbContextOptionsBuilder<HandWrittenReportingDbContext>();
        _ = provider == DatabaseProvider.Postgres ? handWritten.UseNpgsql(oldDatabase) : handWritten.UseSqlite(oldDatabase);
        handWritten.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
        await using (var db = new HandWrittenReportingDbContext(handWritten.Options))
        {
            await db.Database.MigrateAsync();
            await FillEveryTable(db);
        }

        IReadOnlyList<string> rowsBefore;
        await using (var connection = connect(oldDatabase))
        {
            var empty = (await DatabaseContents.RowCountsAsync(connection)).Where(t => t.Value == 0 && t.Key != "__EFMigrationsLock").Select(t => t.Key);
            Assert.Empty(empty);
            rowsBefore = await DatabaseContents.RowsAsync(connection);
        }

        // Today's service starts on it (and on a new database), migrating as it does at every start.
        foreach (var database in new[] { oldDatabase, freshDatabase })
        {
            using var host = ServiceDatabaseHost(provider, database);
            await using (var scope = host.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<ReportingDbContext>();
                if (database == oldDatabase) Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            }

            await host.StartAsync();
            await host.StopAsync();
        }

        await using var upgraded = connect(oldDatabase);
        await using var created = connect(freshDatabase);
        Assert.Equal(rowsBefore, await DatabaseContents.RowsAsync(upgraded));
        var newSchema = await DatabaseContents.SchemaAsync(created);
        var upgradedSchema = await DatabaseContents.SchemaAsync(upgraded);
        Assert.True(newSchema.SequenceEqual(upgradedSchema),
            $"only in a new database:\n{string.Join('\n', newSchema.Except(upgradedSchema))}\nonly in the upgraded one:\n{string.Join('\n', upgradedSchema.Except(newSchema))}");
    }

    private static IHost ServiceDatabaseHost(DatabaseProvider provider, string connectionString)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider.ToString(),
            [$"ConnectionStrings:{ReportingModule.DatabaseName}"] = connectionString,
        });
        builder.AddServiceDatabase<ReportingDbContext, SqliteReportingDbContext, PostgresReportingDbContext>(ReportingModule.DatabaseName);
        return builder.Build();
    }

    private static async Task FillEveryTable(ReportingDbContext db)
    {
        var data = StocktakingDataSet.Build();
        var projection = new ReadModelProjection(db);
        foreach (var fact in data.Facts)
        {
            await ReportingDatabaseTests.Apply(projection, fact);
            await db.SaveChangesAsync();
        }

        db.Contributions.AddRange(data.Contributions);
        db.NationalReports.AddRange(data.NationalReports);
        var compiledAt = new DateTimeOffset(2026, 1, 20, 8, 0, 0, TimeSpan.Zero).ToInstant();
        var document = ReportCompiler.Compile(data.Sources, new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).ToInstant(), new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToInstant(), compiledAt);
        var report = Report.Draft(Guid.NewGuid(), document, "secretariat-1");
        report.Submit(Refusals.Coordinator(data.Chair), data.Officers, compiledAt + Duration.FromDays(1));
        db.Reports.Add(report);
        db.Reports.Add(Report.Draft(Guid.NewGuid(), document, "secretariat-1"));
        db.Add(new IdempotencyRecord
        {
            Key = "request-1", Operation = "reporting.v1.Stocktaking/SubmitContribution", CallerSubject = "coord-1",
            ResponseType = "reporting.v1.Contribution", ResponseBytes = [1, 2, 3], CreatedAt = compiledAt.ToDateTimeOffset(),
        });
        var sent = db.AddIntegrationEvent(new { ReportId = report.ReportId }, report.ReportId.ToString());
        sent.SentAt = compiledAt.ToDateTimeUtc();
        sent.TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        db.AddIntegrationEvent(new { ReportId = Guid.NewGuid() }, "other");
        db.Add(new InboxMessage { MessageId = Guid.NewGuid(), Consumer = "reporting", ReceivedAt = compiledAt.ToDateTimeUtc() });
        await db.SaveChangesAsync();
    }

    private static string SqliteFile() =>
        $"Data Source={Path.Combine(Path.GetTempPath(), $"reporting-migration-{Guid.NewGuid():N}.db")};Pooling=False";
}
