using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Messaging;

namespace Messaging.Dispatcher;

/// <summary>The test event: a numbered ping on a stream (the aggregate).</summary>
public sealed record PingRaised
{
    public required Guid EventId { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public required string Stream { get; init; }
    public required int Number { get; init; }
    /// <summary>A poison ping makes the handler throw every time.</summary>
    public bool Poison { get; init; }
}

/// <summary>Producer-side state changed together with raising the event.</summary>
public sealed class Ping
{
    public Guid Id { get; set; }
    public string Stream { get; set; } = string.Empty;
    public int Number { get; set; }
}

/// <summary>Consumer-side effect; deliberately no unique key, so applying twice would show.</summary>
public sealed class AppliedPing
{
    public long Id { get; set; }
    public Guid EventId { get; set; }
    public string Stream { get; set; } = string.Empty;
    public int Number { get; set; }
}

/// <summary>One service's database: its state, effects and the messaging tables.</summary>
public sealed class FaultTestDb(DbContextOptions<FaultTestDb> options) : DbContext(options)
{
    public DbSet<Ping> Pings => Set<Ping>();
    public DbSet<AppliedPing> AppliedPings => Set<AppliedPing>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Ping>().ToTable("Pings").HasKey(p => p.Id);
        modelBuilder.Entity<AppliedPing>().ToTable("AppliedPings").HasKey(p => p.Id);
        modelBuilder.AddMessaging();
    }
}

/// <summary>Hand-written, provider-neutral, like the services' migrations.</summary>
[DbContext(typeof(FaultTestDb))]
[Migration("20261122000000_FaultModel")]
public sealed class FaultModelMigration : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable("Pings", t => new
        {
            Id = t.Column<Guid>(nullable: false),
            Stream = t.Column<string>(nullable: false),
            Number = t.Column<int>(nullable: false),
        }, constraints: t => t.PrimaryKey("PK_Pings", x => x.Id));
        migrationBuilder.CreateTable("AppliedPings", t => new
        {
            Id = t.Column<long>(nullable: false)
                .Annotation("Sqlite:Autoincrement", true)
                .Annotation("Npgsql:ValueGenerationStrategy", Npgsql.EntityFrameworkCore.PostgreSQL.Metadata.NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
            EventId = t.Column<Guid>(nullable: false),
            Stream = t.Column<string>(nullable: false),
            Number = t.Column<int>(nullable: false),
        }, constraints: t => t.PrimaryKey("PK_AppliedPings", x => x.Id));
        migrationBuilder.CreateMessagingTables();
        migrationBuilder.AddOutboxTraceContext();
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropMessagingTables();
        migrationBuilder.DropTable("AppliedPings");
        migrationBuilder.DropTable("Pings");
    }
}

/// <summary>How the handler behaves in a test (a singleton the test configures).</summary>
public sealed class PingHandlerBehaviour
{
    public TimeSpan Delay { get; set; }

    /// <summary>The database transaction each ping was last applied in (a batch that failed is applied again).</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<Guid, Guid> Transactions { get; } = new();
}

public sealed class PingHandler(FaultTestDb db, PingHandlerBehaviour behaviour) : IIntegrationEventHandler<PingRaised>
{
    public async Task HandleAsync(PingRaised integrationEvent, IntegrationEventContext context, CancellationToken cancellationToken)
    {
        if (integrationEvent.Poison)
        {
            throw new InvalidOperationException($"ping {integrationEvent.Number} is poison");
        }
        db.AppliedPings.Add(new AppliedPing { EventId = integrationEvent.EventId, Stream = integrationEvent.Stream, Number = integrationEvent.Number });
        behaviour.Transactions[integrationEvent.EventId] = db.Database.CurrentTransaction?.TransactionId ?? Guid.Empty;
        if (behaviour.Delay > TimeSpan.Zero)
        {
            await Task.Delay(behaviour.Delay, cancellationToken);
        }
    }
}

public static class FaultModel
{
    /// <summary>Raises one ping with its state change in one transaction (SaveChanges).</summary>
    public static async Task<PingRaised> RaisePingAsync(this FaultTestDb db, string stream, int number, bool poison = false, CancellationToken cancellationToken = default)
    {
        var ping = new PingRaised { EventId = Guid.NewGuid(), OccurredAt = DateTimeOffset.UtcNow, Stream = stream, Number = number, Poison = poison };
        db.Pings.Add(new Ping { Id = ping.EventId, Stream = stream, Number = number });
        db.AddIntegrationEvent(ping, aggregateKey: stream);
        await db.SaveChangesAsync(cancellationToken);
        return ping;
    }
}
