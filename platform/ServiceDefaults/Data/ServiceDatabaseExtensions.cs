using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Platform.Data;

/// <summary>The database engines a service can run on.</summary>
public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

public static partial class ServiceDatabaseExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TContext"/> on the provider named by <c>Database:Provider</c>
    /// (<c>Sqlite</c>, the default, or <c>Postgres</c>) with <c>ConnectionStrings:&lt;name&gt;</c>.
    /// Without a connection string SQLite uses <c>data/&lt;name&gt;.db</c> under the working
    /// directory (the folder is created); PostgreSQL requires one. Applies the context's
    /// migrations when the host starts (unless <paramref name="migrateOnStart"/> is false: then the
    /// host starts whether or not its database answers), and adds a readiness check that the
    /// database answers.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDatabase<TContext>(
        this IHostApplicationBuilder builder, string name, Action<DbContextOptionsBuilder>? configure = null, bool migrateOnStart = true)
        where TContext : DbContext
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var provider = ProviderFrom(builder.Configuration);
        var connectionString = ConnectionStringFor(builder.Configuration, name, provider);

        // Pooled: a unit of work (a gRPC call, an intake or inbox batch, an outbox pass) takes a
        // context whose EF Core services are already built and gives it back reset, instead of
        // building them again (about a tenth of an intake instance's CPU under load). The context
        // must take only its options; its state (tracked entities, transaction) is reset on return.
        builder.Services.AddDbContextPool<TContext>(options =>
        {
            switch (provider)
            {
                case DatabaseProvider.Postgres:
                    options.UseNpgsql(connectionString);
                    break;
                default:
                    options.UseSqlite(connectionString);
                    break;
            }

            // Migrations are written by hand without a model snapshot, so EF Core would always
            // see "pending model changes"; the migrations themselves are the source of truth.
            options.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning)
                // A failed statement, query or SaveChanges is not always an error: a key conflict that the
                // caller resolves (a duplicate message, a batch written again one by one) and the
                // first migration check on a new database are expected. The callers log what they
                // could not resolve (with ids, without payloads); EF Core's own records, with the SQL
                // and a stack trace, stay available at Information and Debug.
                .Log((RelationalEventId.CommandError, LogLevel.Information), (CoreEventId.SaveChangesFailed, LogLevel.Debug),
                    (CoreEventId.QueryIterationFailed, LogLevel.Debug)));
            configure?.Invoke(options);
        });

        // Migrations run when the host starts, before any hosted service's StartAsync (the outbox
        // dispatcher, the inbox) and before the server takes requests.
        if (migrateOnStart)
        {
            builder.Services.AddHostedService<DatabaseMigration<TContext>>();
        }

        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            $"database-{name}",
            sp => new DatabaseHealthCheck<TContext>(sp),
            HealthStatus.Unhealthy,
            ["ready", "database"]));
        return builder;
    }

    /// <summary>Reads <c>Database:Provider</c>; absent means SQLite.</summary>
    public static DatabaseProvider ProviderFrom(IConfiguration configuration)
    {
        var value = configuration["Database:Provider"];
        if (string.IsNullOrWhiteSpace(value) || value.Equals("Sqlite", StringComparison.OrdinalIgnoreCase))
        {
            return DatabaseProvider.Sqlite;
        }

        if (value.Equals("Postgres", StringComparison.OrdinalIgnoreCase) ||
            value.Equals("PostgreSQL", StringComparison.OrdinalIgnoreCase))
        {
            return DatabaseProvider.Postgres;
        }

        throw new InvalidOperationException($"Database:Provider '{value}' is not supported; use Sqlite or Postgres.");
    }

    /// <summary>The connection string the service will use (for SQLite, creating the file's folder).</summary>
    public static string ConnectionStringFor(IConfiguration configuration, string name, DatabaseProvider provider)
    {
        var configured = configuration.GetConnectionString(name);
        if (provider == DatabaseProvider.Postgres)
        {
            return string.IsNullOrWhiteSpace(configured)
                ? throw new InvalidOperationException(
                    $"ConnectionStrings:{name} is required when Database:Provider is Postgres.")
                : WithStatementDefaults(configured);
        }

        var sqlite = new SqliteConnectionStringBuilder(
            string.IsNullOrWhiteSpace(configured)
                ? $"Data Source={Path.Combine("data", name.ToLowerInvariant() + ".db")}"
                : configured);
        var inMemory = sqlite.Mode == SqliteOpenMode.Memory || sqlite.DataSource is "" or ":memory:";
        if (!inMemory)
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(sqlite.DataSource));
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }
        }

        return sqlite.ToString();
    }

    /// <summary>Statements Npgsql prepares on the server once they are used often enough, unless the connection string says otherwise.</summary>
    internal const int AutoPreparedStatements = 64;

    /// <summary>
    /// A service runs the same few statements all day (insert a response, its event and its
    /// idempotency record; look up a batch's request ids; the outbox and inbox statements): with
    /// automatic preparation the server parses each of them once per connection instead of on
    /// every execution. An operator's own <c>Max Auto Prepare</c> in the connection string wins.
    /// </summary>
    /// <remarks>
    /// The server still plans every execution (<c>plan_cache_mode=force_custom_plan</c>, unless
    /// the connection string's <c>Options</c> set it). By default PostgreSQL switches a prepared
    /// statement to a generic plan after five executions and keeps it for the connection's life:
    /// a service's first statements run on empty tables, so look-ups by a batch of ids
    /// (<c>"ResponseId" = ANY($1)</c>) kept the sequential scan that was cheapest then. Measured on
    /// the cluster benchmark: Reporting's batch look-up went from 7–11 ms to 0.1 ms per call once
    /// its tables held 30,000 rows.
    /// A pooled connection is handed out again without the session reset (<c>No Reset On Close</c>,
    /// unless the connection string sets it): the services keep no session state (no SET, no
    /// temporary tables, no LISTEN, no advisory lock outside migrations), and the reset sent four
    /// statements before every transaction of a batch.
    /// </remarks>
    internal static string WithStatementDefaults(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = AutoPreparedStatements;
        }

        if (!given.ContainsKey("No Reset On Close") && !given.ContainsKey("NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }

        if (builder.Options?.Contains("plan_cache_mode", StringComparison.Ordinal) != true)
        {
            builder.Options = string.IsNullOrWhiteSpace(builder.Options)
                ? CustomPlans
                : builder.Options + " " + CustomPlans;
        }

        return builder.ConnectionString;
    }

    private const string CustomPlans = "-c plan_cache_mode=force_custom_plan";

    /// <summary>
    /// Applies <typeparamref name="TContext"/>'s migrations (EF Core <c>Migration</c> classes in the
    /// service's assembly). Concurrent starts are safe: EF Core takes a migration lock on both
    /// providers. <see cref="AddServiceDatabase{TContext}"/> runs it at start; tests call it directly.
    /// </summary>
    public static async Task MigrateDatabaseAsync<TContext>(this IServiceProvider services, CancellationToken cancellationToken = default)
        where TContext : DbContext
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ServiceDatabaseExtensions));
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count > 0)
        {
            LogMigrating(logger, typeof(TContext).Name, pending.Count, db.Database.ProviderName ?? "?");
        }

        await db.Database.MigrateAsync(cancellationToken);
    }

    /// <inheritdoc cref="MigrateDatabaseAsync{TContext}(IServiceProvider, CancellationToken)"/>
    public static Task MigrateDatabaseAsync<TContext>(this IHost app, CancellationToken cancellationToken = default)
        where TContext : DbContext =>
        app.Services.MigrateDatabaseAsync<TContext>(cancellationToken);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Applying {Count} migration(s) to {Context} on {Provider}")]
    private static partial void LogMigrating(ILogger logger, string context, int count, string provider);

    private sealed class DatabaseHealthCheck<TContext>(IServiceProvider services) : IHealthCheck
        where TContext : DbContext
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            return await db.Database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("database unreachable");
        }
    }
}

/// <summary>Applies a service database's migrations as the host starts (before other hosted services start).</summary>
internal sealed class DatabaseMigration<TContext>(IServiceProvider services) : IHostedLifecycleService
    where TContext : DbContext
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        // A context with no migrations has nothing to apply, and need not reach its database to
        // learn that (a host may start while its database is down and say so on /readyz).
        await using (var scope = services.CreateAsyncScope())
        {
            if (!scope.ServiceProvider.GetRequiredService<TContext>().Database.GetMigrations().Any())
            {
                return;
            }
        }

        await services.MigrateDatabaseAsync<TContext>(cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
