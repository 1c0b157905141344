using Microsoft.EntityFrameworkCore;
using Wsis.Consultations.Data;
using Wsis.Contracts.Verification;

namespace Wsis.Consultations.Log;

/// <summary>
/// Proofs and roots of a stored log, read from its complete subtrees (<c>LogNodes</c>) in one query:
/// which nodes a proof reads depends only on the sizes and the index, never on the hashes, so the
/// computation runs once recording the nodes it asks for, then again over those nodes loaded
/// together (O(log n) rows, one round trip, whatever the log's size).
/// </summary>
public static class LogProofs
{
    public static async Task<T> ComputeAsync<T>(ConsultationsDbContext db, Guid consultationId, Func<ILogNodes, T> compute, CancellationToken cancellationToken)
    {
        var recorder = new RecordingNodes();
        compute(recorder);
        if (recorder.Wanted.Count == 0)
        {
            return compute(recorder);
        }

        var levels = recorder.Wanted.Select(n => n.Level).Distinct().ToList();
        var indexes = recorder.Wanted.Select(n => n.Index).Distinct().ToList();
        // A superset (every wanted level × every wanted index), kept small by the proofs' shape.
        var rows = await db.LogNodes.AsNoTracking()
            .Where(n => n.ConsultationId == consultationId && levels.Contains(n.Level) && indexes.Contains(n.Index))
            .Select(n => new { n.Level, n.Index, n.Hash })
            .ToListAsync(cancellationToken);
        var nodes = rows.ToDictionary(n => (n.Level, n.Index), n => n.Hash);
        return compute(new LoadedNodes(nodes));
    }

    private sealed class RecordingNodes : ILogNodes
    {
        private static readonly byte[] Placeholder = new byte[MerkleLog.HashSize];

        public HashSet<(int Level, long Index)> Wanted { get; } = [];

        public byte[] Get(int level, long index)
        {
            Wanted.Add((level, index));
            return Placeholder;
        }
    }

    private sealed class LoadedNodes(Dictionary<(int, long), byte[]> nodes) : ILogNodes
    {
        public byte[] Get(int level, long index) => nodes.TryGetValue((level, index), out var hash)
            ? hash
            : throw new InvalidOperationException($"log node ({level}, {index}) is missing from the store");
    }
}
