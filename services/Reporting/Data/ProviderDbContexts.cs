using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Wsis.Reporting.Data;

// One context type per provider, as EF Core documents for migrations on several providers: each
// owns its generated migrations and snapshot ([DbContext(typeof(…))] in Data/Migrations/<provider>),
// and AddServiceDatabase serves ReportingDbContext with the one Database:Provider names.

/// <summary>The Reporting database on SQLite (the embedded mode); its migrations are in Data/Migrations/Sqlite.</summary>
public sealed class SqliteReportingDbContext(DbContextOptions<SqliteReportingDbContext> options) : ReportingDbContext(options);

/// <summary>The Reporting database on PostgreSQL (the cluster mode); its migrations are in Data/Migrations/Postgres.</summary>
public sealed class PostgresReportingDbContext(DbContextOptions<PostgresReportingDbContext> options) : ReportingDbContext(options);

/// <summary>For <c>dotnet ef … --context SqliteReportingDbContext</c>: builds the context without running the service.</summary>
internal sealed class SqliteReportingDbContextFactory : IDesignTimeDbContextFactory<SqliteReportingDbContext>
{
    public SqliteReportingDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteReportingDbContext>().UseSqlite("Data Source=data/reporting.db").Options);
}

/// <summary>
/// For <c>dotnet ef … --context PostgresReportingDbContext</c>. Adding a migration never connects; for
/// <c>dotnet ef database update</c> pass <c>--connection</c>.
/// </summary>
internal sealed class PostgresReportingDbContextFactory : IDesignTimeDbContextFactory<PostgresReportingDbContext>
{
    public PostgresReportingDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresReportingDbContext>().UseNpgsql("Host=localhost;Database=reporting").Options);
}
