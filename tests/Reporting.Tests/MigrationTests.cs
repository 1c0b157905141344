using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Extensions;
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
    public void The_generated_migrations_keep_the_hand_written_ids_and_every_later_one_sorts_after_them()
    {
        // A database the hand-written migrations made lists these ids. Ids sort by their timestamp:
        // one generated before 2026-12-08 would sort among them (services/Reporting/README.md, Migrations).
        using var sqlite = new SqliteReportingDbContext(new DbContextOptionsBuilder<SqliteReportingDbContext>().UseSqlite("Data Source=:memory:").Options);
        using var postgres = new PostgresReportingDbContext(new DbContextOptionsBuilder<PostgresReportingDbContext>().UseNpgsql("Host=localhost;Database=unused").Options);
        Assert.Equal(HandWrittenIds, sqlite.Database.GetMigrations().Take(3));
        Assert.Equal(HandWrittenIds, postgres.Database.GetMigrations().Take(3));
    }

    private static readonly string[] HandWrittenIds = ["20261122100000_Initial", "20261122170000_IdempotencyKeyIndex", "20261208000000_OutboxTraceContext"];

    [Theory]
    [InlineData("20261122100000_Initial")]
    [InlineData("20261122170000_IdempotencyKeyIndex")]
    [InlineData("20261208000000_OutboxTraceContext")]
    public Task A_SQLite_database_made_by_the_hand_written_migrations_keeps_every_row_and_gets_a_new_database_s_schema(string lastHandWritten) =>
        Upgrade(DatabaseProvider.Sqlite, lastHandWritten);

    [Theory]
    [InlineData("20261122100000_Initial")]
    [InlineData("20261122170000_IdempotencyKeyIndex")]
    [InlineData("20261208000000_OutboxTraceContext")]
    public Task A_PostgreSQL_database_made_by_the_hand_written_migrations_keeps_every_row_and_gets_a_new_database_s_schema(string lastHandWritten) =>
        Upgrade(DatabaseProvider.Postgres, lastHandWritten);

    // The shared part (old database, upgrade at start, rows and schema compared): tests/Testing/MigrationUpgrade.cs.
    private static Task Upgrade(DatabaseProvider provider, string lastHandWritten) =>
        MigrationUpgrade.KeepsEveryRowAndGetsANewDatabasesSchemaAsync<ReportingDbContext, SqliteReportingDbContext, PostgresReportingDbContext, HandWrittenReportingDbContext>(
            provider, ReportingModule.DatabaseName, lastHandWritten, options => new HandWrittenReportingDbContext(options), FillEveryTable);

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
        db.Add(new InboxMessage { MessageId = Guid.NewGuid(), Consumer = "reporting", ReceivedAt = compiledAt.ToDateTimeUtc() });
        await db.SaveChangesAsync();
        await AddOutboxRows(db);
    }

    // In SQL, not through the model: before 20261208000000_OutboxTraceContext the outbox has no
    // trace-context columns, which the model maps.
    private static Task AddOutboxRows(DbContext db) => db.Database.ExecuteSqlRawAsync("""
        INSERT INTO "OutboxMessages" ("MessageId", "MessageType", "Payload", "AggregateKey", "CreatedAt", "SentAt", "Attempts")
        VALUES ('0199a1b2-0000-7000-8000-000000000001', 'Contracts.Events.TeamCreated', '[1]', 'aggregate-1', '2026-11-22 09:00:00', '2026-11-22 09:00:01', 1),
               ('0199a1b2-0000-7000-8000-000000000002', 'Contracts.Events.TeamCreated', '[2]', 'aggregate-2', '2026-11-22 09:00:00', NULL, 0)
        """);
}
