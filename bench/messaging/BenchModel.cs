using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Platform.Messaging;

namespace Messaging.Bench;

public sealed record BenchEvent
{
    public required Guid EventId { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public required int Number { get; init; }
    /// <summary>About the size of a real event (a few ids and names).</summary>
    public required string Text { get; init; }

    public static BenchEvent Create(int number) => new()
    {
        EventId = Guid.NewGuid(),
        OccurredAt = DateTimeOffset.UtcNow,
        Number = number,
        Text = new string('x', 200),
    };
}

public sealed class Thing
{
    public Guid Id { get; set; }
    public int Number { get; set; }
}

public sealed class BenchDb(DbContextOptions<BenchDb> options) : DbContext(options)
{
    public DbSet<Thing> Things => Set<Thing>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Thing>().HasKey(t => t.Id);
        modelBuilder.AddMessaging();
    }
}

/// <summary>Applies the event (one row) and notes when; the platform saves it with the inbox row and commits right after.</summary>
public sealed class BenchHandler(BenchDb db, ConcurrentDictionary<Guid, long> applied) : IIntegrationEventHandler<BenchEvent>
{
    public Task HandleAsync(BenchEvent integrationEvent, IntegrationEventContext context, CancellationToken cancellationToken)
    {
        db.Things.Add(new Thing { Id = integrationEvent.EventId, Number = integrationEvent.Number });
        applied[integrationEvent.EventId] = Stopwatch.GetTimestamp();
        return Task.CompletedTask;
    }
}
