using System.Text.Json;
using Messaging.Dispatcher;
using Microsoft.EntityFrameworkCore;
using Platform.Messaging;
using Xunit;

namespace Messaging.Tests;

/// <summary>
/// The dispatcher's claim on PostgreSQL when a burst left tens of thousands of events unsent while
/// the table's statistics still describe a calm moment (autovacuum has not analysed it since).
/// In the cluster benchmark the old claim read every unsent row once per candidate (an anti-join
/// planned for "one unsent row"): 4.8 s per claim at 52,000 unsent rows, past the command timeout
/// under load, and the burst's events waited a minute to be published.
/// </summary>
public sealed class OutboxClaimPlanTests
{
    [Fact]
    public async Task The_claim_reads_a_few_rows_per_claimed_row_when_statistics_say_the_outbox_is_empty()
    {
        await using var db = await FreshDatabase.OnPostgresAsync();
        await db.Database.OpenConnectionAsync();
        var names = MessagingModel.OutboxNames.From(db);

        // Statistics taken on a calm outbox (everything published so far), then never refreshed.
        await InsertAsync(db, "NULL", 30_000, sent: true);
        var freeze = $"ALTER TABLE {names.Table} SET (autovacuum_enabled = false); ANALYZE {names.Table}";
        await db.Database.ExecuteSqlRawAsync(freeze);

        // The burst: 30,000 unordered events, then an ordered stream of three whose head is the
        // oldest row and two more queued behind the burst.
        await InsertAsync(db, "'stream-a'", 1);
        await InsertAsync(db, "NULL", 30_000);
        await InsertAsync(db, "'stream-a'", 2);

        var sql = OutboxDispatcher<FaultTestDb>.ClaimHeadsSql(names)
            .Replace("@now", "now()", StringComparison.Ordinal)
            .Replace("@batch", "256", StringComparison.Ordinal);
        await using var transaction = await db.Database.BeginTransactionAsync();

        var claimed = await db.Set<OutboxMessage>().FromSqlRaw(sql).AsNoTracking().ToListAsync();
        Assert.Equal(256, claimed.Count);
        Assert.Equal("stream-a", claimed[0].AggregateKey);
        Assert.Single(claimed, m => m.AggregateKey is not null); // the stream's later rows wait for its head
        Assert.Equal(claimed.OrderBy(m => m.Sequence).Select(m => m.Sequence), claimed.Select(m => m.Sequence));

        await transaction.RollbackAsync();
        await using var explain = await db.Database.BeginTransactionAsync();
        var explainSql = "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql;
        var plan = await db.Database.SqlQueryRaw<string>(explainSql).ToListAsync();
        var root = JsonDocument.Parse(plan.Single()).RootElement[0].GetProperty("Plan");
        var blocks = root.GetProperty("Shared Hit Blocks").GetInt64() + root.GetProperty("Shared Read Blocks").GetInt64();
        // 256 rows claimed read ~600 blocks; the anti-join read 1.5 million at 52,000 unsent rows.
        Assert.True(blocks < 5_000, $"claiming 256 rows read {blocks} blocks: the claim walks the unsent rows per candidate\n{plan.Single()}");
        await explain.RollbackAsync();
    }

    // ExecuteSqlRaw reads braces as format items.
    private const string EmptyJson = "'{{}}'";

    private static Task InsertAsync(FaultTestDb db, string aggregateKey, int count, bool sent = false)
    {
        var n = MessagingModel.OutboxNames.From(db);
        var insert = $"""
            INSERT INTO {n.Table} ("MessageId", "MessageType", "Payload", "AggregateKey", "CreatedAt", "Attempts", {n.SentAt})
            SELECT gen_random_uuid(), 'Messaging.Dispatcher.PingRaised, Messaging.Dispatcher', {EmptyJson}, {aggregateKey}, now(), 0, {(sent ? "now()" : "NULL")}
            FROM generate_series(1, {count})
            """;
        return db.Database.ExecuteSqlRawAsync(insert);
    }
}
