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

/// <summary>For <c>dotnet ef … --context SqliteReportingDbContext</c>: builds the context without running the service
/// (on the connection string given after <c>--</c>, else <c>data/reporting.db</c>).</summary>
internal sealed class SqliteReportingDbContextFactory : IDesignTimeDbContextFactory<SqliteReportingDbContext>
{
    public SqliteReportingDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteReportingDbContext>().UseSqlite(args.FirstOrDefault() ?? "Data Source=data/reporting.db").Options);
}

/// <summary>
/// For <c>dotnet ef … --context PostgresReportingDbContext</c>. Adding a migration never connects; the
/// commands that do (<c>migrations remove</c>, <c>database update</c>) take the connection string
/// after <c>--</c> (<c>dotnet ef … -- "Host=…;Database=…"</c>).
/// </summary>
internal sealed class PostgresReportingDbContextFactory : IDesignTimeDbContextFactory<PostgresReportingDbContext>
{
    public PostgresReportingDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresReportingDbContext>().UseNpgsql(args.FirstOrDefault() ?? "Host=localhost;Database=reporting").Options);
}
