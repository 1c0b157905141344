using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using Platform.Data;
using NodaTime;
using Wsis.Consultations.Data;
using Wsis.Consultations.Grpc;
using Wsis.Consultations.Model;
using Wsis.Contracts.Verification;
using V1 = Wsis.Consultations.V1;

namespace Wsis.Consultations.Log;

/// <summary>
/// Enters published responses in their consultations' logs inside the transaction that stores
/// them: per consultation it locks the log's head row (<c>FOR UPDATE</c> on PostgreSQL; SQLite has
/// one writer at a time), gives the responses the next leaf indexes in the order given, writes the
/// new complete subtrees, moves the head and signs one checkpoint for the new size. Each response
/// gets its inclusion proof against that checkpoint, for its receipt.
/// </summary>
/// <remarks>
/// The head is locked last, after the idempotency look-up, the consultation's share lock and (on
/// PostgreSQL's intake path) the responses' own inserts, so it is held only for the log's writes
/// and the commit; consultations are locked in id order, so two
/// batches writing to the same consultations cannot deadlock. The close locks the consultation row
/// exclusively first, so it reads a head no intake transaction holds.
/// </remarks>
internal static class LogAppender
{
    /// <param name="commands">On PostgreSQL's bulk path: the writes are added here, to run with the batch's inserts; otherwise they go through the context.</param>
    /// <param name="lockedHeads">Heads the caller already locked in this transaction (<see cref="LockHeadCommand"/>).</param>
    public static async Task<Dictionary<Guid, V1.InclusionProof>> AppendAsync(
        ConsultationsDbContext db, IReadOnlyList<Response> responses, LogSigningKey key, Instant now,
        List<Npgsql.NpgsqlBatchCommand>? commands, CancellationToken cancellationToken,
        IReadOnlyDictionary<Guid, (long Size, byte[] Frontier)>? lockedHeads = null)
    {
        var proofs = new Dictionary<Guid, V1.InclusionProof>();
        foreach (var group in responses.GroupBy(r => r.ConsultationId!.Value).OrderBy(g => g.Key))
        {
            var consultationId = group.Key;
            var (size, frontier, tracked) = lockedHeads is not null && lockedHeads.TryGetValue(consultationId, out var head)
                ? (head.Size, head.Frontier, (LogHead?)null)
                : await LockHeadAsync(db, consultationId, cancellationToken);
            var leaves = group.ToList();
            var appended = ConsultationLog.Append(size, ConsultationLog.FrontierNodes(size, frontier),
                [.. leaves.Select(r => Convert.FromHexString(r.PublishedSha256!))]);
            var checkpoint = LogCheckpoint.Sign(consultationId, appended.Size, appended.Root, now, key.Key, key.KeyId);
            var nodes = appended.NewNodes.Select(n => new LogNode(consultationId, n.Level, n.Index, n.Hash)).ToList();
            var newFrontier = appended.Frontier();

            if (tracked is not null)
            {
                tracked.Advance(appended.Size, newFrontier);
                db.LogNodes.AddRange(nodes);
                db.LogCheckpoints.Add(checkpoint);
            }
            else if (commands is not null)
            {
                commands.Add(LeavesCommand(leaves.Select((r, i) => (r.Id, size + i)).ToList()));
                commands.Add(Platform.Data.PostgresBulkInsert.Command(db, nodes));
                commands.Add(Platform.Data.PostgresBulkInsert.Command(db, [checkpoint]));
                var move = new Npgsql.NpgsqlBatchCommand("""UPDATE "LogHeads" SET "Size" = $2, "Frontier" = $3 WHERE "ConsultationId" = $1""");
                move.Parameters.Add(new Npgsql.NpgsqlParameter { Value = consultationId });
                move.Parameters.Add(new Npgsql.NpgsqlParameter { Value = appended.Size });
                move.Parameters.Add(new Npgsql.NpgsqlParameter { Value = newFrontier });
                commands.Add(move);
            }
            else
            {
                db.LogNodes.AddRange(nodes);
                db.LogCheckpoints.Add(checkpoint);
                await db.LogHeads.Where(h => h.ConsultationId == consultationId)
                    .ExecuteUpdateAsync(s => s.SetProperty(h => h.Size, appended.Size).SetProperty(h => h.Frontier, newFrontier), cancellationToken);
            }

            var signed = Mapping.ToMessage(checkpoint);
            for (var i = 0; i < leaves.Count; i++)
            {
                var index = size + i;
                leaves[i].EnterLog(index);
                var proof = new V1.InclusionProof
                {
                    ConsultationId = consultationId.ToString(),
                    ResponseId = leaves[i].Id.ToString(),
                    PublishedSha256 = leaves[i].PublishedSha256,
                    LeafIndex = index,
                    TreeSize = appended.Size,
                    Checkpoint = signed,
                };
                proof.Path.AddRange(MerkleLog.InclusionProof(appended.Nodes, index, appended.Size).Select(ByteString.CopyFrom));
                proofs[leaves[i].Id] = proof;
            }
        }

        return proofs;
    }

    /// <summary>
    /// Enters the consultation's published responses that are not in its log (stored while
    /// <c>Consultations:Log:Enabled</c> was false, or before the log existed) in receipt order, writing
    /// the published record of those stored before records existed; returns how many. The caller holds
    /// the consultation's row exclusively (the close, <see cref="LogBackfill"/>), so no intake
    /// transaction appends meanwhile and the responses read are all there are.
    /// </summary>
    public static async Task<int> EnterUnloggedAsync(ConsultationsDbContext db, Guid consultationId, LogSigningKey key, Instant now, CancellationToken cancellationToken)
    {
        var unlogged = await db.Responses.AsNoTracking().Include(r => r.Attachments)
            .Where(r => r.ConsultationId == consultationId && r.Published && r.Leaf == null)
            .InReceiptOrder().ToListAsync(cancellationToken);
        if (unlogged.Count == 0)
        {
            return 0;
        }

        foreach (var response in unlogged)
        {
            response.WriteMissingPublishedRecord();
        }

        await AppendAsync(db, unlogged, key, now, null, cancellationToken);
        foreach (var response in unlogged)
        {
            await db.Responses.Where(r => r.Id == response.Id).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.PublishedRecord, response.PublishedRecord)
                .SetProperty(r => r.PublishedSha256, response.PublishedSha256), cancellationToken);
            await SetLogIndexAsync(db, response.Id, response.LogIndex!.Value, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        return unlogged.Count;
    }

    /// <summary>
    /// PostgreSQL's intake path: the statement locking a consultation's log head (<c>FOR UPDATE</c>)
    /// for the rest of the transaction and reading its size and frontier, sent at the end of the
    /// round trip that inserts the batch's responses, so the head is held only for the log's own
    /// writes and the commit. Callers lock heads in consultation id order (no crosswise waits). No
    /// row when the head does not exist yet (the consultation's first response):
    /// <see cref="AppendAsync"/> then creates it.
    /// </summary>
    public static Npgsql.NpgsqlBatchCommand LockHeadCommand(Guid consultationId)
    {
        var head = new Npgsql.NpgsqlBatchCommand("""SELECT "ConsultationId", "Size", "Frontier" FROM "LogHeads" WHERE "ConsultationId" = $1 FOR UPDATE""");
        head.Parameters.Add(new Npgsql.NpgsqlParameter { Value = consultationId });
        return head;
    }

    /// <summary>
    /// PostgreSQL's bulk path: the responses' <c>ResponseLeaves</c> rows (their log indexes), which
    /// <see cref="PostgresBulkInsert"/> does not write for <see cref="Response"/> (an owned type in
    /// a table of its own).
    /// </summary>
    private static Npgsql.NpgsqlBatchCommand LeavesCommand(IReadOnlyList<(Guid ResponseId, long LogIndex)> leaves)
    {
        var insert = new Npgsql.NpgsqlBatchCommand(
            $"""INSERT INTO "{ResponseConfiguration.ResponseLeaves}" ("ResponseId", "LogIndex") SELECT * FROM unnest($1::uuid[], $2::bigint[])""");
        insert.Parameters.Add(new Npgsql.NpgsqlParameter { Value = leaves.Select(l => l.ResponseId).ToArray() });
        insert.Parameters.Add(new Npgsql.NpgsqlParameter { Value = leaves.Select(l => l.LogIndex).ToArray() });
        return insert;
    }

    /// <summary>Writes a stored response's log index (its row in <c>ResponseLeaves</c>), for the paths that enter a response already stored.</summary>
    public static Task SetLogIndexAsync(ConsultationsDbContext db, Guid responseId, long logIndex, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlInterpolatedAsync(
            $"""INSERT INTO "ResponseLeaves" ("ResponseId", "LogIndex") VALUES ({responseId}, {logIndex})""", cancellationToken);

    /// <summary>Locks the consultation's log head for the rest of the transaction (creating it the first time); its size and frontier.</summary>
    private static async Task<(long Size, byte[] Frontier, LogHead? Tracked)> LockHeadAsync(ConsultationsDbContext db, Guid consultationId, CancellationToken cancellationToken)
    {
        if (!db.Database.IsNpgsql())
        {
            // SQLite: the transaction already holds the database's write lock.
            var head = await db.LogHeads.FirstOrDefaultAsync(h => h.ConsultationId == consultationId, cancellationToken);
            if (head is null)
            {
                head = new LogHead(consultationId);
                db.LogHeads.Add(head);
            }

            return (head.Size, head.Frontier, head);
        }

        for (var attempt = 0; ; attempt++)
        {
            await using (var select = db.Database.CreateNpgsqlCommand(
                """SELECT "Size", "Frontier" FROM "LogHeads" WHERE "ConsultationId" = $1 FOR UPDATE"""))
            {
                select.Parameters.Add(new Npgsql.NpgsqlParameter { Value = consultationId });
                await using var reader = await select.ExecuteReaderAsync(cancellationToken);
                if (await reader.ReadAsync(cancellationToken))
                {
                    return (reader.GetInt64(0), (byte[])reader.GetValue(1), null);
                }
            }

            if (attempt > 0)
            {
                throw new InvalidOperationException($"the log head of consultation {consultationId} could not be created");
            }

            // The consultation's first response: create its head (another transaction may at the same moment).
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"""INSERT INTO "LogHeads" ("ConsultationId", "Size", "Frontier") VALUES ({consultationId}, {0L}, {Array.Empty<byte>()}) ON CONFLICT DO NOTHING""",
                cancellationToken);
        }
    }
}
