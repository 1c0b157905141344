using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Platform.Data;
using Xunit;

namespace Testing;

/// <summary>
/// The upgrade test every service with generated migrations runs (Teams, Consultations, Reporting): a
/// database made by the service's former migration chain (kept in its test project, on a context of
/// its own, <typeparamref name="TOld"/>) stopped after one of them and filled, then today's database
/// set-up of the service (<c>AddServiceDatabase&lt;TContext, TSqlite, TPostgres&gt;</c>, migrating at start) on it
/// and on a new database. Checks that the old database had a row in every table, that
/// <c>__EFMigrationsHistory</c> runs exactly the migrations after the last old one and then lists them
/// all, that every row is still there (on the columns the old schema had), and that the schema equals
/// a new database's. A service adds its own checks with <c>moreChecks</c>. The old database may also be
/// made by the service's own generated chain stopped before a later migration (<c>makeOld</c>), and a
/// later migration may rename tables (<c>renamedTables</c>: their rows are compared under the new name)
/// or move a column to another table (<c>movedColumns</c>: left out of the row comparison; the service's
/// <c>moreChecks</c> finds its values where they went, <see cref="Databases.RowsBefore"/> holding every
/// column as it was).
/// </summary>
public static class MigrationUpgrade
{
    /// <summary>
    /// The two databases after the upgrade, and the rows the old one held before it (tables a later
    /// migration renamed under their new names), for a service's own checks.
    /// </summary>
    public sealed record Databases(DatabaseProvider Provider, DbConnection Upgraded, DbConnection Created, IReadOnlyList<string> RowsBefore);

    /// <summary>Options of a context <typeparamref name="T"/> on the given database, for making or reading an old database.</summary>
    public static DbContextOptions<T> Options<T>(DatabaseProvider provider, string connectionString)
        where T : DbContext
    {
        var options = new DbContextOptionsBuilder<T>();
        _ = provider == DatabaseProvider.Postgres ? options.UseNpgsql(connectionString) : options.UseSqlite(connectionString);
        return options.Options;
    }

    /// <param name="databaseName">The service's connection-string name (<c>ConnectionStrings:&lt;name&gt;</c>).</param>
    /// <param name="lastOld">The id of the last migration of the former chain the old database gets.</param>
    /// <param name="oldContext">The former chain's context on the given options.</param>
    /// <param name="fill">Puts rows in every table the old database has at <paramref name="lastOld"/> (in SQL where the model maps columns it lacks).</param>
    /// <param name="moreChecks">The service's own checks on the upgraded and the new database.</param>
    /// <param name="renamedTables">Tables a later migration renames, old name → new name.</param>
    /// <param name="movedColumns">Columns (<c>Table.Column</c>, old table names) a later migration moved to another table.</param>
    public static Task KeepsEveryRowAndGetsANewDatabasesSchemaAsync<TContext, TSqlite, TPostgres, TOld>(
        DatabaseProvider provider, string databaseName, string lastOld,
        Func<DbContextOptions<TOld>, TOld> oldContext, Func<TOld, Task> fill, Func<Databases, Task>? moreChecks = null,
        IReadOnlyDictionary<string, string>? renamedTables = null, IReadOnlyCollection<string>? movedColumns = null)
        where TContext : DbContext
        where TSqlite : TContext
        where TPostgres : TContext
        where TOld : DbContext =>
        KeepsEveryRowAndGetsANewDatabasesSchemaAsync<TContext, TSqlite, TPostgres>(provider, databaseName, lastOld,
            async oldDatabase =>
            {
                // A database as a previous release left it: the former migrations up to one of them, then data in every table.
                var options = new DbContextOptionsBuilder<TOld>(Options<TOld>(provider, oldDatabase));
                // The former chain has no snapshot (hand-written): the model is not compared with one.
                options.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
                await using var db = oldContext(options.Options);
                await db.GetService<IMigrator>().MigrateAsync(lastOld);
                await fill(db);
            },
            moreChecks, renamedTables, movedColumns);

    /// <param name="databaseName">The service's connection-string name (<c>ConnectionStrings:&lt;name&gt;</c>).</param>
    /// <param name="lastOld">The id of the last migration the old database has (of the former chain or of the service's own).</param>
    /// <param name="makeOld">Given an empty database's connection string, migrates it to <paramref name="lastOld"/> and puts rows in every table.</param>
    /// <param name="moreChecks">The service's own checks on the upgraded and the new database.</param>
    /// <param name="renamedTables">Tables a later migration renames, old name → new name: their rows are compared under the new name.</param>
    /// <param name="movedColumns">Columns (<c>Table.Column</c>, old table names) a later migration moved to another table: not compared row by row (<paramref name="moreChecks"/> follows them).</param>
    public static async Task KeepsEveryRowAndGetsANewDatabasesSchemaAsync<TContext, TSqlite, TPostgres>(
        DatabaseProvider provider, string databaseName, string lastOld, Func<string, Task> makeOld,
        Func<Databases, Task>? moreChecks = null, IReadOnlyDictionary<string, string>? renamedTables = null, IReadOnlyCollection<string>? movedColumns = null)
        where TContext : DbContext
        where TSqlite : TContext
        where TPostgres : TContext
    {
        renamedTables ??= new Dictionary<string, string>();
        movedColumns ??= [];
        if (provider == DatabaseProvider.Postgres)
        {
            var cluster = await SharedPostgres.GetAsync();
            await UpgradeAsync<TContext, TSqlite, TPostgres>(provider, databaseName, lastOld, makeOld, moreChecks, renamedTables, movedColumns,
                await cluster.CreateDatabaseAsync(), await cluster.CreateDatabaseAsync());
            return;
        }

        var old = SqliteFile(databaseName);
        var fresh = SqliteFile(databaseName);
        try
        {
            await UpgradeAsync<TContext, TSqlite, TPostgres>(provider, databaseName, lastOld, makeOld, moreChecks, renamedTables, movedColumns, old, fresh);
        }
        finally
        {
            File.Delete(new SqliteConnectionStringBuilder(old).DataSource);
            File.Delete(new SqliteConnectionStringBuilder(fresh).DataSource);
        }
    }

    private static async Task UpgradeAsync<TContext, TSqlite, TPostgres>(
        DatabaseProvider provider, string databaseName, string lastOld, Func<string, Task> makeOld, Func<Databases, Task>? moreChecks,
        IReadOnlyDictionary<string, string> renamedTables, IReadOnlyCollection<string> movedColumns, string oldDatabase, string freshDatabase)
        where TContext : DbContext
        where TSqlite : TContext
        where TPostgres : TContext
    {
        await makeOld(oldDatabase);

        IReadOnlyList<string> rowsBefore;
        IReadOnlyList<string> rowsCompared;
        IReadOnlyDictionary<string, IReadOnlyList<string>> columnsBefore;
        await using (var connection = Connect(provider, oldDatabase))
        {
            // The columns compared row by row: all but those a later migration moved elsewhere.
            columnsBefore = (await DatabaseContents.ColumnsAsync(connection)).ToDictionary(
                t => t.Key, t => (IReadOnlyList<string>)[.. t.Value.Where(column => !movedColumns.Contains($"{t.Key}.{column}"))]);
            var empty = (await DatabaseContents.RowCountsAsync(connection)).Where(t => t.Value == 0 && t.Key != "__EFMigrationsLock").Select(t => t.Key);
            Assert.Empty(empty);
            rowsBefore = await DatabaseContents.RowsAsync(connection);
            rowsCompared = await DatabaseContents.RowsAsync(connection, columnsBefore);
        }

        // What the old database held, under the names the later migrations give its tables.
        Assert.All(renamedTables.Keys, table => Assert.Contains(table, columnsBefore.Keys));
        columnsBefore = columnsBefore.ToDictionary(t => renamedTables.GetValueOrDefault(t.Key, t.Key), t => t.Value);
        rowsBefore = [.. rowsBefore.Select(row => Renamed(row, renamedTables)).Order(StringComparer.Ordinal)];
        rowsCompared = [.. rowsCompared.Select(row => Renamed(row, renamedTables)).Order(StringComparer.Ordinal)];

        // Today's service starts on it (and on a new database), migrating as it does at every start.
        foreach (var database in new[] { oldDatabase, freshDatabase })
        {
            using var host = ServiceDatabaseHost<TContext, TSqlite, TPostgres>(provider, databaseName, database);
            await using (var scope = host.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<TContext>();
                if (database == oldDatabase)
                {
                    Assert.Equal(db.Database.GetMigrations().SkipWhile(id => id != lastOld).Skip(1), await db.Database.GetPendingMigrationsAsync());
                }
            }

            await host.StartAsync();
            await using (var scope = host.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<TContext>();
                Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
            }

            await host.StopAsync();
        }

        await using var upgraded = Connect(provider, oldDatabase);
        await using var created = Connect(provider, freshDatabase);
        // Every row as it was (the migration history aside: it gained the migrations just applied).
        Assert.Equal(rowsCompared.Where(NotHistory), (await DatabaseContents.RowsAsync(upgraded, columnsBefore)).Where(NotHistory));
        var newSchema = await DatabaseContents.SchemaAsync(created);
        var upgradedSchema = await DatabaseContents.SchemaAsync(upgraded);
        Assert.True(newSchema.SequenceEqual(upgradedSchema),
            $"only in a new database:\n{string.Join('\n', newSchema.Except(upgradedSchema))}\nonly in the upgraded one:\n{string.Join('\n', upgradedSchema.Except(newSchema))}");
        if (moreChecks is not null)
        {
            await moreChecks(new Databases(provider, upgraded, created, rowsBefore));
        }
    }

    // A row line is "<table>: <column>=<value> | …" (DatabaseContents.RowsAsync).
    private static string Renamed(string row, IReadOnlyDictionary<string, string> renamedTables)
    {
        var table = row[..row.IndexOf(": ", StringComparison.Ordinal)];
        return renamedTables.TryGetValue(table, out var renamed) ? renamed + row[table.Length..] : row;
    }

    private static bool NotHistory(string row) => !row.StartsWith("__EFMigrationsHistory:", StringComparison.Ordinal);

    private static DbConnection Connect(DatabaseProvider provider, string connectionString) =>
        provider == DatabaseProvider.Postgres ? new NpgsqlConnection(connectionString) : new SqliteConnection(connectionString);

    private static IHost ServiceDatabaseHost<TContext, TSqlite, TPostgres>(DatabaseProvider provider, string databaseName, string connectionString)
        where TContext : DbContext
        where TSqlite : TContext
        where TPostgres : TContext
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider.ToString(),
            [$"ConnectionStrings:{databaseName}"] = connectionString,
        });
        builder.AddServiceDatabase<TContext, TSqlite, TPostgres>(databaseName);
        return builder.Build();
    }

    private static string SqliteFile(string databaseName) =>
        $"Data Source={Path.Combine(Path.GetTempPath(), $"{databaseName.ToLowerInvariant()}-migration-{Guid.NewGuid():N}.db")};Pooling=False";
}
