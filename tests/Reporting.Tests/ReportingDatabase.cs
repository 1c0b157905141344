using Microsoft.EntityFrameworkCore;
using Testing;
using Wsis.Reporting.Data;

namespace Wsis.Reporting.Tests;

/// <summary>A fresh, migrated Reporting database on SQLite (a temporary file) or PostgreSQL (the shared test cluster).</summary>
public sealed class ReportingDatabase : IAsyncDisposable
{
    private readonly string? sqliteFile;

    private ReportingDatabase(string provider, string connectionString, string? sqliteFile)
    {
        Provider = provider;
        ConnectionString = connectionString;
        this.sqliteFile = sqliteFile;
    }

    public string Provider { get; }
    public string ConnectionString { get; }

    public static async Task<ReportingDatabase> CreateAsync(string provider)
    {
        ReportingDatabase database;
        if (provider == "Postgres")
        {
            var cluster = await SharedPostgres.GetAsync();
            database = new ReportingDatabase(provider, await cluster.CreateDatabaseAsync(), null);
        }
        else
        {
            var file = Path.Combine(Path.GetTempPath(), $"reporting-test-{Guid.NewGuid():N}.db");
            database = new ReportingDatabase(provider, $"Data Source={file};Pooling=False", file);
        }
        await using var db = database.Open();
        await db.Database.MigrateAsync();
        return database;
    }

    public ReportingDbContext Open() => Provider == "Postgres"
        ? new PostgresReportingDbContext(new DbContextOptionsBuilder<PostgresReportingDbContext>().UseNpgsql(ConnectionString).Options)
        : new SqliteReportingDbContext(new DbContextOptionsBuilder<SqliteReportingDbContext>().UseSqlite(ConnectionString).Options);

    public ValueTask DisposeAsync()
    {
        if (sqliteFile is not null && File.Exists(sqliteFile)) File.Delete(sqliteFile);
        return ValueTask.CompletedTask;
    }
}
