using System.Collections.Concurrent;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Platform.Data;
using Testing;
using Xunit;

namespace Platform.Tests.ServiceDefaults;

/// <summary>
/// Idempotency records are deleted once their retention has passed, and only then: exact counts
/// on both sides of the cut-off, deletion in bounded chunks, a request id replayed within the
/// retention still answered with the first result, and a pruner that outlives an unreachable
/// database. Runs on SQLite and on PostgreSQL.
/// </summary>
public abstract class IdempotencyRetentionTests : LedgerHostTests
{
    private const string CreateEntry = "ledger.v1.Ledger/CreateEntry";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    // Whole milliseconds: PostgreSQL keeps microseconds, so a boundary value compares as written.
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    private static readonly DateTimeOffset CutOff = Now - TimeSpan.FromDays(30);

    /// <summary>A fresh database the service cannot reach until <see cref="UnreachableDatabase.Restore"/> (no tables yet).</summary>
    protected abstract Task<UnreachableDatabase> NewUnreachableDatabaseAsync();

    protected override IHost BuildServiceHost(string provider, string connectionString) =>
        BuildHost(provider, connectionString, logs: null, settings: []);

    [Fact]
    public async Task Records_older_than_the_retention_are_deleted_and_newer_ones_stay()
    {
        await InsertAsync(ServiceHost,
            Record("old-1ms", CutOff.AddMilliseconds(-1)),
            Record("old-1s", CutOff.AddSeconds(-1)),
            Record("old-1d", CutOff.AddDays(-1)),
            Record("old-400d", CutOff.AddDays(-400)),
            Record("at-cut-off", CutOff),
            Record("new-1ms", CutOff.AddMilliseconds(1)),
            Record("new-1h", Now.AddHours(-1)),
            Record("new-now", Now));

        var result = await DeleteCreatedBeforeAsync(CutOff, chunkSize: 5000);

        Assert.Equal(4, result.Deleted);
        Assert.Equal(1, result.Statements);
        Assert.Equal(["at-cut-off", "new-1h", "new-1ms", "new-now"], await KeysAsync(ServiceHost));
        Assert.Equal(0, (await DeleteCreatedBeforeAsync(CutOff, chunkSize: 5000)).Deleted);
    }

    [Fact]
    public async Task More_records_than_one_chunk_are_deleted_in_several_bounded_statements()
    {
        // 35 old records among 12 newer ones, in insertion order: a chunk of 10 takes 4 statements
        // (10, 10, 10, 5), and no statement deletes more than 10.
        var records = Enumerable.Range(0, 47)
            .Select(i => i % 4 == 0 ? Record($"new-{i:00}", Now.AddMinutes(-i)) : Record($"old-{i:00}", CutOff.AddMinutes(-i - 1)))
            .ToArray();
        await InsertAsync(ServiceHost, records);

        var result = await DeleteCreatedBeforeAsync(CutOff, chunkSize: 10);

        Assert.Equal(35, result.Deleted);
        Assert.Equal(4, result.Statements);
        Assert.Equal(records.Where(r => r.Key.StartsWith("new-", StringComparison.Ordinal)).Select(r => r.Key), await KeysAsync(ServiceHost));
    }

    [Fact]
    public async Task A_request_id_replayed_within_the_retention_returns_the_first_result_after_a_prune()
    {
        var kept = new IdempotencyKey("req-kept", CreateEntry, "alice");
        var first = await CreateAsync(kept, "first");
        await InsertAsync(ServiceHost, Record("req-expired", Now.AddDays(-31)));

        var result = await DeleteCreatedBeforeAsync(DateTimeOffset.UtcNow - TimeSpan.FromDays(30), chunkSize: 5000);
        var replay = await CreateAsync(kept, "replay");

        Assert.Equal(1, result.Deleted);
        Assert.Equal(first, replay);
        Assert.Equal(["first"], await TextsAsync());
    }

    [Fact]
    public async Task A_request_id_replayed_after_the_retention_creates_again()
    {
        var key = new IdempotencyKey("req-late", CreateEntry, "alice");
        var first = await CreateAsync(key, "first");
        await using (var scope = ServiceHost.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LedgerDb>();
            var createdAt = Now.AddDays(-31);
            Assert.Equal(1, await db.Set<IdempotencyRecord>().Where(r => r.Key == "req-late")
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.CreatedAt, createdAt)));
        }

        var result = await DeleteCreatedBeforeAsync(DateTimeOffset.UtcNow - TimeSpan.FromDays(30), chunkSize: 5000);
        var late = await CreateAsync(key, "late");

        Assert.Equal(1, result.Deleted);
        Assert.NotEqual(first, late);
        Assert.Equal(["first", "late"], await TextsAsync());
    }

    [Fact]
    public async Task The_pruner_logs_a_failed_run_while_the_database_is_unreachable_and_prunes_once_it_is_back()
    {
        var database = await NewUnreachableDatabaseAsync();
        var logs = new CollectedLogs();
        using var host = BuildHost(database.Provider, database.ConnectionString, logs, new()
        {
            ["Idempotency:PruneInterval"] = "00:00:00.1",
            ["Idempotency:PruneChunkSize"] = "2",
        });
        await host.StartAsync();
        try
        {
            await UntilAsync(() => Task.FromResult(logs.Failures.Count >= 2), "two failed runs are logged");
            Assert.All(logs.Failures, m => Assert.StartsWith("Idempotency records of LedgerDb: pruning failed (", m, StringComparison.Ordinal));

            await database.Restore();
            await host.MigrateDatabaseAsync<LedgerDb>();
            await InsertAsync(host,
                [.. Enumerable.Range(0, 5).Select(i => Record($"old-{i}", Now.AddDays(-31 - i))), Record("new-1", Now.AddDays(-29)), Record("new-2", Now)]);

            // The run logs once its last statement has committed.
            await UntilAsync(() => Task.FromResult(logs.Pruned.Count > 0), "a run that deleted records is logged");
            // The five in one run (they were inserted in one transaction), two at a time.
            Assert.Equal([(5, 3)], logs.Pruned);
            Assert.Equal(["new-1", "new-2"], await KeysAsync(host));
        }
        finally
        {
            await host.StopAsync();
            await database.CleanUpAsync();
        }
    }

    protected static IHost BuildHost(string provider, string connectionString, CollectedLogs? logs, Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production" });
        builder.Configuration["Database:Provider"] = provider;
        builder.Configuration["ConnectionStrings:Ledger"] = connectionString;
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.AddServiceDatabase<LedgerDb>("Ledger", migrateOnStart: false);
        builder.AddIdempotencyRetention<LedgerDb>();
        return builder.Build();
    }

    private async Task<IdempotencyPruneResult> DeleteCreatedBeforeAsync(DateTimeOffset createdBefore, int chunkSize)
    {
        await using var scope = ServiceHost.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LedgerDb>();
        return await IdempotencyRetention.DeleteCreatedBeforeAsync(db, createdBefore, chunkSize);
    }

    private static IdempotencyRecord Record(string key, DateTimeOffset createdAt) => new()
    {
        Key = key,
        Operation = CreateEntry,
        CallerSubject = "partner",
        ResponseType = StringValue.Descriptor.FullName,
        ResponseBytes = [],
        CreatedAt = createdAt,
    };

    private static async Task InsertAsync(IHost host, params IdempotencyRecord[] records)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LedgerDb>();
        db.AddRange(records);
        await db.SaveChangesAsync();
    }

    private static async Task<string[]> KeysAsync(IHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LedgerDb>();
        var keys = await db.Set<IdempotencyRecord>().Select(r => r.Key).ToListAsync();
        return keys.Order(StringComparer.Ordinal).ToArray();
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {Patience.TotalSeconds:0} s waiting until {what}.");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>A database the service cannot reach yet; <see cref="Restore"/> makes it reachable (still empty).</summary>
    protected sealed record UnreachableDatabase(string Provider, string ConnectionString, Func<Task> Restore, Func<ValueTask> CleanUpAsync);

    /// <summary>The pruner's log records: failures as formatted messages, successes with their counts.</summary>
    protected sealed class CollectedLogs : ILoggerProvider, ILogger
    {
        private readonly ConcurrentQueue<string> _failures = new();
        private readonly ConcurrentQueue<(int Count, int Statements)> _pruned = new();

        public IReadOnlyCollection<string> Failures => _failures.ToArray();

        public IReadOnlyCollection<(int Count, int Statements)> Pruned => _pruned.ToArray();

        public ILogger CreateLogger(string categoryName) =>
            categoryName.StartsWith("Platform.Data.IdempotencyPruner", StringComparison.Ordinal) ? this : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                _failures.Enqueue(formatter(state, exception));
            }
            else if (logLevel == LogLevel.Information && state is IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                var fields = values.ToDictionary(v => v.Key, v => v.Value);
                _pruned.Enqueue(((int)fields["Count"]!, (int)fields["Statements"]!));
            }
        }

        public void Dispose()
        {
        }
    }
}

public sealed class SqliteIdempotencyRetentionTests : IdempotencyRetentionTests
{
    private readonly string _folder = Directory.CreateTempSubdirectory("idempotency-retention-").FullName;

    protected override Task<(string Provider, string ConnectionString)> NewDatabaseAsync() =>
        Task.FromResult(("Sqlite", $"Data Source={Path.Combine(_folder, "ledger.db")}"));

    /// <summary>A folder where the database file should be: SQLite cannot open it until it is removed.</summary>
    protected override Task<UnreachableDatabase> NewUnreachableDatabaseAsync()
    {
        var file = Path.Combine(_folder, "unreachable.db");
        Directory.CreateDirectory(file);
        return Task.FromResult(new UnreachableDatabase("Sqlite", $"Data Source={file}",
            () =>
            {
                Directory.Delete(file);
                return Task.CompletedTask;
            },
            () => ValueTask.CompletedTask));
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void A_retention_that_is_not_positive_stops_the_host_at_start()
    {
        using var host = BuildHost("Sqlite", $"Data Source={Path.Combine(_folder, "invalid.db")}", logs: null, new() { ["Idempotency:Retention"] = "00:00:00" });

        var error = Assert.Throws<OptionsValidationException>(() => host.Start());
        Assert.Contains("Idempotency: Retention must be positive", error.Message, StringComparison.Ordinal);
    }
}

public sealed class PostgresIdempotencyRetentionTests : IdempotencyRetentionTests
{
    protected override Task<(string Provider, string ConnectionString)> NewDatabaseAsync() => NewPostgresDatabaseAsync();

    /// <summary>The database behind a TCP proxy that resets every connection until restored.</summary>
    protected override async Task<UnreachableDatabase> NewUnreachableDatabaseAsync()
    {
        var cluster = await SharedPostgres.GetAsync();
        var direct = await cluster.CreateDatabaseAsync();
        var proxy = TcpProxy.Start(cluster.Host, cluster.Port);
        await proxy.DropAsync();
        var throughProxy = new NpgsqlConnectionStringBuilder(direct) { Port = proxy.Port }.ConnectionString;
        return new UnreachableDatabase("Postgres", throughProxy,
            () =>
            {
                proxy.Restore();
                return Task.CompletedTask;
            },
            proxy.DisposeAsync);
    }
}
