using Messaging.Dispatcher;
using Microsoft.EntityFrameworkCore;
using Platform.Messaging;
using Xunit;
using Xunit.Abstractions;

namespace Messaging.Tests;

/// <summary>The embedded mode: SQLite files and MassTransit's in-memory transport, no servers.</summary>
public sealed class EmbeddedModeTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _folder = Directory.CreateTempSubdirectory("wsis-messaging-").FullName;
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Committed_events_are_applied_once_and_rolled_back_ones_never_on_sqlite_and_in_memory_transport()
    {
        MessagingCounts.Touch();
        await using var service = await TestService.StartAsync(output, TestService.Sqlite(Path.Combine(_folder, "service.db")), rabbitMq: null,
            $"embedded-{_id}", consumes: true);

        var raised = new List<PingRaised>();
        for (var i = 1; i <= 5; i++)
        {
            raised.Add(await service.WithDbAsync(db => db.RaisePingAsync("team-1", i)));
        }
        var rolledBack = await service.WithDbAsync(async db =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            var ping = await db.RaisePingAsync("team-1", 6);
            await transaction.RollbackAsync();
            return ping;
        });
        raised.Add(await service.WithDbAsync(db => db.RaisePingAsync("team-1", 7)));

        await Eventually.UntilAsync(async () => (await service.WithDbAsync(db => db.AppliedPings.CountAsync())) >= 6, Patience, "6 events are applied");
        // Messages handled side by side are applied in no promised order (README: handlers are order-tolerant).
        var applied = await service.WithDbAsync(db => db.AppliedPings.AsNoTracking().OrderBy(a => a.Number).ToListAsync());

        output.WriteLine($"embedded: raised {raised.Count} / delivered {MessagingCounts.Delivered(service.Endpoint)} / " +
                         $"applied {MessagingCounts.Applied(service.Endpoint)} / duplicates suppressed {MessagingCounts.Duplicates(service.Endpoint)}");
        Assert.Equal(raised.Select(p => p.EventId).Order(), applied.Select(a => a.EventId).Order());
        Assert.DoesNotContain(applied, a => a.EventId == rolledBack.EventId);
        Assert.Equal([1, 2, 3, 4, 5, 7], applied.Select(a => a.Number));
    }

    [Fact]
    public async Task Sent_outbox_rows_and_inbox_rows_older_than_the_retention_are_pruned_and_nothing_else()
    {
        await using var service = await TestService.StartAsync(output, TestService.Sqlite(Path.Combine(_folder, "prune.db")), rabbitMq: null,
            $"prune-{_id}", consumes: false, tune: o =>
            {
                o.PruneInterval = TimeSpan.FromMilliseconds(200);
                o.SentRetention = TimeSpan.FromHours(1);
                o.InboxRetention = TimeSpan.FromHours(2);
            });
        var now = DateTime.UtcNow;
        Guid oldSent = Guid.NewGuid(), recentSent = Guid.NewGuid(), oldInbox = Guid.NewGuid(), recentInbox = Guid.NewGuid();
        await service.WithDbAsync(async db =>
        {
            db.Set<OutboxMessage>().AddRange(
                Row(oldSent, createdAt: now.AddHours(-3), sentAt: now.AddHours(-2)),
                Row(recentSent, createdAt: now.AddHours(-3), sentAt: now.AddMinutes(-10)));
            db.Set<InboxMessage>().AddRange(
                new InboxMessage { MessageId = oldInbox, Consumer = "c", ReceivedAt = now.AddHours(-3) },
                new InboxMessage { MessageId = recentInbox, Consumer = "c", ReceivedAt = now.AddHours(-1) });
            await db.SaveChangesAsync();
        });

        await Eventually.UntilAsync(() => service.WithDbAsync(async db =>
            !await db.Set<OutboxMessage>().AnyAsync(o => o.MessageId == oldSent) && !await db.Set<InboxMessage>().AnyAsync(i => i.MessageId == oldInbox)),
            Patience, "the old rows are pruned");

        Assert.True(await service.WithDbAsync(db => db.Set<OutboxMessage>().AnyAsync(o => o.MessageId == recentSent)));
        Assert.True(await service.WithDbAsync(db => db.Set<InboxMessage>().AnyAsync(i => i.MessageId == recentInbox)));
    }

    private static OutboxMessage Row(Guid id, DateTime createdAt, DateTime? sentAt) => new()
    {
        MessageId = id,
        MessageType = "Unused.Event, Unused",
        Payload = "{}",
        CreatedAt = createdAt,
        SentAt = sentAt,
        Attempts = sentAt is null ? 0 : 1,
    };

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
