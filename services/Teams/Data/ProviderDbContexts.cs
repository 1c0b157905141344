using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Wsis.Teams.Data;

// One context type per provider, as EF Core documents for migrations on several providers: each
// owns its generated migrations and snapshot ([DbContext(typeof(…))] in Data/Migrations/<provider>),
// and AddServiceDatabase serves TeamsDbContext with the one Database:Provider names.

/// <summary>The Teams database on SQLite (the embedded mode); its migrations are in Data/Migrations/Sqlite.</summary>
public sealed class SqliteTeamsDbContext(DbContextOptions<SqliteTeamsDbContext> options) : TeamsDbContext(options);

/// <summary>The Teams database on PostgreSQL (the cluster mode); its migrations are in Data/Migrations/Postgres.</summary>
public sealed class PostgresTeamsDbContext(DbContextOptions<PostgresTeamsDbContext> options) : TeamsDbContext(options);

/// <summary>For <c>dotnet ef … --context SqliteTeamsDbContext</c>: builds the context without running the service
/// (on the connection string given after <c>--</c>, else <c>data/teams.db</c>).</summary>
internal sealed class SqliteTeamsDbContextFactory : IDesignTimeDbContextFactory<SqliteTeamsDbContext>
{
    public SqliteTeamsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteTeamsDbContext>().UseSqlite(args.FirstOrDefault() ?? "Data Source=data/teams.db").Options);
}

/// <summary>
/// For <c>dotnet ef … --context PostgresTeamsDbContext</c>. Adding a migration never connects; the
/// commands that do (<c>migrations remove</c>, <c>database update</c>) take the connection string
/// after <c>--</c> (<c>dotnet ef … -- "Host=…;Database=…"</c>).
/// </summary>
internal sealed class PostgresTeamsDbContextFactory : IDesignTimeDbContextFactory<PostgresTeamsDbContext>
{
    public PostgresTeamsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresTeamsDbContext>().UseNpgsql(args.FirstOrDefault() ?? "Host=localhost;Database=teams").Options);
}
