using Messaging.Dispatcher;
using Microsoft.EntityFrameworkCore;
using Platform.Messaging;
using Xunit;

namespace Messaging.Tests;

/// <summary>Pruning on PostgreSQL: expired rows go in chunks, oldest first, and nothing else goes.</summary>
public sealed class PruningTests
{
    [Fact]
    public async Task Expired_rows_are_deleted_chunk_by_chunk_until_none_is_left_and_unsent_or_recent_rows_stay()
    {
        await using var db = await FreshDatabase.OnPostgresAsync();

        var now = DateTime.UtcNow;
        var sentBefore = now.AddDays(-7);
        var receivedBefore = now.AddDays(-30);
        // 23 expired sent rows (3 chunks of 10), 4 sent within the retention, 5 never sent (created long ago).
        db.Set<OutboxMessage>().AddRange(Enumerable.Range(0, 23).Select(i => Row(now.AddDays(-30), sentAt: now.AddDays(-8).AddMinutes(-i))));
        db.Set<OutboxMessage>().AddRange(Enumerable.Range(0, 4).Select(i => Row(now.AddDays(-30), sentAt: now.AddDays(-6).AddMinutes(-i))));
        db.Set<OutboxMessage>().AddRange(Enumerable.Range(0, 5).Select(_ => Row(now.AddDays(-60), sentAt: null)));
        // 20 expired inbox rows (exactly 2 chunks: the third statement finds none), 3 recent.
        db.Set<InboxMessage>().AddRange(Enumerable.Range(0, 20).Select(i => new InboxMessage { MessageId = Guid.NewGuid(), Consumer = "c", ReceivedAt = now.AddDays(-31).AddMinutes(-i) }));
        db.Set<InboxMessage>().AddRange(Enumerable.Range(0, 3).Select(i => new InboxMessage { MessageId = Guid.NewGuid(), Consumer = i % 2 == 0 ? "c" : "d", ReceivedAt = now.AddDays(-29) }));
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();

        var (outbox, inbox) = await MessagingPruner<FaultTestDb>.DeleteExpiredAsync(db, sentBefore, receivedBefore, chunkSize: 10, CancellationToken.None);

        Assert.Equal((23, 20), (outbox, inbox));
        var left = await db.Set<OutboxMessage>().AsNoTracking().ToListAsync();
        Assert.Equal(9, left.Count);
        Assert.Equal(5, left.Count(o => o.SentAt is null));
        Assert.All(left.Where(o => o.SentAt is not null), o => Assert.True(o.SentAt >= sentBefore));
        Assert.Equal(3, await db.Set<InboxMessage>().CountAsync());
        Assert.False(await db.Set<InboxMessage>().AnyAsync(i => i.ReceivedAt < receivedBefore));

        // Nothing more is expired: a second run deletes nothing.
        Assert.Equal((0, 0), await MessagingPruner<FaultTestDb>.DeleteExpiredAsync(db, sentBefore, receivedBefore, chunkSize: 10, CancellationToken.None));
    }

    private static OutboxMessage Row(DateTime createdAt, DateTime? sentAt) => new()
    {
        MessageId = Guid.NewGuid(),
        MessageType = "Unused.Event, Unused",
        Payload = "{}",
        CreatedAt = createdAt,
        SentAt = sentAt,
        Attempts = sentAt is null ? 0 : 1,
    };
}
