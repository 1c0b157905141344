using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Platform.Data;
using Testing;
using Xunit;

namespace Platform.Tests.ServiceDefaults;

/// <summary>
/// The idempotency store on a real database created by the hand-written, provider-neutral
/// migration: a retried create returns the first response and changes nothing, keys are scoped
/// to caller and operation, a concurrent duplicate loses to the first, and the record commits
/// with the change. Runs on SQLite and on PostgreSQL.
/// </summary>
public abstract class IdempotencyStoreTests : LedgerHostTests
{
    private const string CreateEntry = "ledger.v1.Ledger/CreateEntry";
    protected override IHost BuildServiceHost(string provider, string connectionString)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production" });
        builder.Configuration["Database:Provider"] = provider;
        builder.Configuration["ConnectionStrings:Ledger"] = connectionString;
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddServiceDatabase<LedgerDb>("Ledger", migrateOnStart: false);
        return builder.Build();
    }

    [Fact]
    public async Task A_retry_with_the_same_request_id_returns_the_first_response_and_creates_once()
    {
        var key = new IdempotencyKey("req-1", CreateEntry, "alice");

        var first = await CreateAsync(key, "first");
        var retry = await CreateAsync(key, "retry");

        Assert.Equal(first, retry);
        Assert.Equal(["first"], await TextsAsync());
    }

    [Fact]
    public async Task Another_caller_with_the_same_request_id_does_not_collide()
    {
        var alice = await CreateAsync(new IdempotencyKey("req-1", CreateEntry, "alice"), "alice's");
        var bob = await CreateAsync(new IdempotencyKey("req-1", CreateEntry, "bob"), "bob's");

        Assert.NotEqual(alice, bob);
        Assert.Equal(["alice's", "bob's"], await TextsAsync());
    }

    [Fact]
    public async Task The_same_request_id_on_another_operation_does_not_collide()
    {
        await CreateAsync(new IdempotencyKey("req-1", CreateEntry, "alice"), "one");
        await CreateAsync(new IdempotencyKey("req-1", "ledger.v1.Ledger/CreateOther", "alice"), "two");

        Assert.Equal(["one", "two"], await TextsAsync());
    }

    [Fact]
    public async Task Without_a_request_id_every_call_creates()
    {
        await CreateAsync(null, "a");
        await CreateAsync(null, "b");

        Assert.Equal(["a", "b"], await TextsAsync());
    }

    [Fact]
    public async Task A_concurrent_duplicate_that_saves_second_returns_the_first_stored_result()
    {
        var key = new IdempotencyKey("req-race", CreateEntry, "alice");
        StringValue? winner = null;

        await using var scope = ServiceHost.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LedgerDb>();
        var loser = await IdempotencyStore.ExecuteOnceAsync(db, key, StringValue.Parser, async ct =>
        {
            // This request has looked for a stored response and found none; before it saves,
            // the same request (a client retry on another connection) completes.
            winner = await CreateAsync(key, "winner");
            var entry = new LedgerEntry { Id = Guid.NewGuid(), Text = "loser" };
            db.Entries.Add(entry);
            return new StringValue { Value = entry.Id.ToString() };
        });

        Assert.Equal(winner, loser);
        Assert.Equal(["winner"], await TextsAsync());
    }

    [Fact]
    public async Task A_concurrent_duplicate_whose_change_is_refused_because_the_first_acted_returns_the_first_result()
    {
        var key = new IdempotencyKey("req-refused", CreateEntry, "alice");
        StringValue? winner = null;

        await using var scope = ServiceHost.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LedgerDb>();
        var loser = await IdempotencyStore.ExecuteOnceAsync(db, key, StringValue.Parser, async ct =>
        {
            // The same request completes first; this one then finds the state moved on (a member who has
            // left, an election already closed) and its change refuses.
            winner = await CreateAsync(key, "winner");
            await Task.Yield();
            throw new InvalidOperationException("already done");
        });

        Assert.Equal(winner, loser);
        Assert.Equal(["winner"], await TextsAsync());
        // A refusal with no earlier result for its key stands.
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => IdempotencyStore.ExecuteOnceAsync<StringValue>(db,
            new IdempotencyKey("req-refused-alone", CreateEntry, "alice"), StringValue.Parser, _ => throw new InvalidOperationException("refused")));
        Assert.Equal("refused", refused.Message);
    }

    [Fact]
    public async Task The_record_commits_with_the_change_or_not_at_all()
    {
        var existing = Guid.NewGuid();
        await CreateAsync(null, "existing", existing);
        var key = new IdempotencyKey("req-fail", CreateEntry, "alice");

        // The change itself fails (a duplicate entry id): the error propagates and no response
        // is remembered, so a corrected retry with the same request id is not blocked.
        await Assert.ThrowsAsync<DbUpdateException>(() => CreateAsync(key, "clash", existing));
        await using (var scope = ServiceHost.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LedgerDb>();
            Assert.Null(await IdempotencyStore.FindAsync(db, key, StringValue.Parser));
        }

        await CreateAsync(key, "corrected");
        Assert.Equal(["corrected", "existing"], await TextsAsync());
    }

    [Fact]
    public async Task A_stored_response_is_found_by_key_with_its_bytes_intact()
    {
        var key = new IdempotencyKey("req-bytes", CreateEntry, "alice");
        var created = await CreateAsync(key, "kept");

        await using var scope = ServiceHost.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LedgerDb>();
        var found = await IdempotencyStore.FindAsync(db, key, StringValue.Parser);
        var record = await db.Set<IdempotencyRecord>().SingleAsync(r => r.Key == "req-bytes");

        Assert.Equal(created, found);
        Assert.Equal("google.protobuf.StringValue", record.ResponseType);
        Assert.Equal(created.ToByteArray(), record.ResponseBytes);
    }

    [Fact]
    public async Task Migrating_again_is_a_no_op()
    {
        await ServiceHost.MigrateDatabaseAsync<LedgerDb>();

        await using var scope = ServiceHost.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LedgerDb>();
        Assert.Equal(["20261122000000_Initial"], await db.Database.GetAppliedMigrationsAsync());
    }

    [Fact]
    public async Task Many_keys_are_looked_up_in_one_go_each_scoped_to_its_caller()
    {
        var alice1 = new IdempotencyKey("req-1", CreateEntry, "alice");
        var alice2 = new IdempotencyKey("req-2", CreateEntry, "alice");
        var first = await CreateAsync(alice1, "one");
        var second = await CreateAsync(alice2, "two");
        await CreateAsync(new IdempotencyKey("req-3", CreateEntry, "bob"), "bob's");

        await using var scope = ServiceHost.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LedgerDb>();
        var found = await IdempotencyStore.FindManyAsync(db,
            [alice1, alice2, new IdempotencyKey("req-3", CreateEntry, "alice"), new IdempotencyKey("req-9", CreateEntry, "alice"), new IdempotencyKey("req-1", "ledger.v1.Ledger/Other", "alice")],
            StringValue.Parser);

        Assert.Equal(2, found.Count);
        Assert.Equal(first, found[alice1]);
        Assert.Equal(second, found[alice2]);
    }
}

public sealed class SqliteIdempotencyStoreTests : IdempotencyStoreTests
{
    private readonly string _folder = Directory.CreateTempSubdirectory("idempotency-").FullName;

    // A folder that does not exist yet: AddServiceDatabase creates it.
    protected override Task<(string Provider, string ConnectionString)> NewDatabaseAsync() =>
        Task.FromResult(("Sqlite", $"Data Source={Path.Combine(_folder, "nested", "ledger.db")}"));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Assert.True(File.Exists(Path.Combine(_folder, "nested", "ledger.db")));
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}

public sealed class PostgresIdempotencyStoreTests : IdempotencyStoreTests
{
    protected override Task<(string Provider, string ConnectionString)> NewDatabaseAsync() => NewPostgresDatabaseAsync();

    /// <summary>
    /// A service's first batch look-ups run on an empty table. They must not fix the plan of the
    /// ones that follow once the table holds thousands of records: before, PostgreSQL kept the
    /// plan made for the empty table (a prepared statement's generic plan) and walked every
    /// record on each batch, 40 ms per batch at 30,000 records in the cluster benchmark.
    /// </summary>
    [Fact]
    public async Task A_batch_look_up_is_planned_for_the_table_as_it_is_and_uses_the_request_id_index()
    {
        const string operation = "ledger.v1.Ledger/CreateEntry";
        await using var scope = ServiceHost.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LedgerDb>();
        await db.Database.OpenConnectionAsync(); // one server session: its prepared statements are what is checked
        IdempotencyKey[] Keys(int from) => Enumerable.Range(from, 40).Select(i => new IdempotencyKey($"req-{i}", operation, "partner")).ToArray();

        for (var i = 0; i < 10; i++)
        {
            Assert.Empty(await IdempotencyStore.FindManyAsync(db, Keys(i * 40), StringValue.Parser));
        }

        await db.Database.ExecuteSqlRawAsync($"""
            INSERT INTO "IdempotencyRecords" ("CallerSubject", "Operation", "Key", "ResponseType", "ResponseBytes", "CreatedAt")
            SELECT 'partner', '{operation}', 'req-' || n, 'google.protobuf.StringValue', ''::bytea, now() FROM generate_series(0, 29999) AS n
            """);
        var found = await IdempotencyStore.FindManyAsync(db, Keys(20_000), StringValue.Parser);
        Assert.Equal(40, found.Count);

        var connection = db.Database.GetDbConnection();
        string statement;
        long genericPlans, customPlans;
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements
                WHERE statement LIKE '%FROM "IdempotencyRecords"%'
                """;
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync(), "the look-up was not prepared on the server");
            (statement, genericPlans, customPlans) = (reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2));
            Assert.False(await reader.ReadAsync());
        }

        Assert.Equal(0, genericPlans);
        Assert.True(customPlans >= 6, $"prepared after its fifth use, it is planned again on each: {customPlans} custom plans");

        var plan = new List<string>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "EXPLAIN " + statement.Replace("$1", "ARRAY['req-20000', 'req-20001']", StringComparison.Ordinal);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }

        Assert.Contains(plan, line => line.Contains("IX_IdempotencyRecords_Key", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.Contains("Seq Scan", StringComparison.Ordinal));
    }
}
