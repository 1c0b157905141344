using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Wsis.Consultations.Data;

// One context type per provider, as EF Core documents for migrations on several providers: each
// owns its generated migrations and snapshot ([DbContext(typeof(…))] in Data/Migrations/<provider>),
// and AddServiceDatabase serves ConsultationsDbContext with the one Database:Provider names.

/// <summary>The Consultations database on SQLite (the embedded mode); its migrations are in Data/Migrations/Sqlite.</summary>
public sealed class SqliteConsultationsDbContext(DbContextOptions<SqliteConsultationsDbContext> options) : ConsultationsDbContext(options);

/// <summary>The Consultations database on PostgreSQL (the cluster mode); its migrations are in Data/Migrations/Postgres.</summary>
public sealed class PostgresConsultationsDbContext(DbContextOptions<PostgresConsultationsDbContext> options) : ConsultationsDbContext(options);

/// <summary>For <c>dotnet ef … --context SqliteConsultationsDbContext</c>: builds the context without running the service
/// (on the connection string given after <c>--</c>, else <c>data/consultations.db</c>).</summary>
internal sealed class SqliteConsultationsDbContextFactory : IDesignTimeDbContextFactory<SqliteConsultationsDbContext>
{
    public SqliteConsultationsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteConsultationsDbContext>().UseSqlite(args.FirstOrDefault() ?? "Data Source=data/consultations.db").Options);
}

/// <summary>
/// For <c>dotnet ef … --context PostgresConsultationsDbContext</c>. Adding a migration never connects; the
/// commands that do (<c>migrations remove</c>, <c>database update</c>) take the connection string
/// after <c>--</c> (<c>dotnet ef … -- "Host=…;Database=…"</c>).
/// </summary>
internal sealed class PostgresConsultationsDbContextFactory : IDesignTimeDbContextFactory<PostgresConsultationsDbContext>
{
    public PostgresConsultationsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresConsultationsDbContext>().UseNpgsql(args.FirstOrDefault() ?? "Host=localhost;Database=consultations").Options);
}
