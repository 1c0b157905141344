using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Platform.Data;
using Testing;
using Xunit;

namespace Platform.Tests.ServiceDefaults;

/// <summary>
/// Tests against a service host of <see cref="LedgerDb"/> on a fresh, migrated database per test:
/// subclasses say which database (SQLite or PostgreSQL) and what the host registers.
/// </summary>
public abstract class LedgerHostTests : IAsyncLifetime
{
    private IHost _host = null!;

    protected IHost ServiceHost => _host;

    /// <summary>Database:Provider and ConnectionStrings:Ledger for a fresh, empty database.</summary>
    protected abstract Task<(string Provider, string ConnectionString)> NewDatabaseAsync();

    /// <summary>The host under test on that database (not started, not migrated).</summary>
    protected abstract IHost BuildServiceHost(string provider, string connectionString);

    /// <summary>A new database on the shared PostgreSQL cluster.</summary>
    protected static async Task<(string Provider, string ConnectionString)> NewPostgresDatabaseAsync()
    {
        var cluster = await SharedPostgres.GetAsync();
        return ("Postgres", await cluster.CreateDatabaseAsync());
    }

    public async Task InitializeAsync()
    {
        var (provider, connectionString) = await NewDatabaseAsync();
        _host = BuildServiceHost(provider, connectionString);
        await _host.MigrateDatabaseAsync<LedgerDb>();
    }

    public virtual Task DisposeAsync()
    {
        _host.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Creates one ledger entry through the idempotency store (null key: no request_id); the entry's id is the response.</summary>
    protected async Task<StringValue> CreateAsync(IdempotencyKey? key, string text, Guid? id = null)
    {
        await using var scope = ServiceHost.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LedgerDb>();
        return await IdempotencyStore.ExecuteOnceAsync(db, key, StringValue.Parser, _ =>
        {
            var entry = new LedgerEntry { Id = id ?? Guid.NewGuid(), Text = text };
            db.Entries.Add(entry);
            return Task.FromResult(new StringValue { Value = entry.Id.ToString() });
        });
    }

    /// <summary>The texts of every ledger entry, in ordinal order.</summary>
    protected async Task<string[]> TextsAsync()
    {
        await using var scope = ServiceHost.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LedgerDb>();
        var texts = await db.Entries.Select(e => e.Text).ToListAsync();
        return texts.Order(StringComparer.Ordinal).ToArray();
    }
}
