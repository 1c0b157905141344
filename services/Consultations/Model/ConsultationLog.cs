using System.Security.Cryptography;
using NodaTime;
using Wsis.Contracts.Verification;

namespace Wsis.Consultations.Model;

/// <summary>
/// A consultation's append-only log: its published responses' published hashes, in the order they
/// entered it, as a Merkle tree (RFC 9162 hashing, <see cref="MerkleLog"/>). The store keeps every
/// complete subtree's hash once (<see cref="LogNode"/>); appending n leaves to a log of size s reads
/// only the frontier of s (at most log₂ s nodes) and writes the new leaves and the subtrees they
/// complete. Each append ends with a signed <see cref="LogCheckpoint"/>.
/// </summary>
public static class ConsultationLog
{
    /// <summary>
    /// The complete subtrees whose roots make up a log of <paramref name="size"/> leaves: one per
    /// set bit of the size, the largest first. Appending needs these and nothing else.
    /// </summary>
    public static IReadOnlyList<(int Level, long Index)> Frontier(long size)
    {
        var nodes = new List<(int, long)>();
        for (var level = 62; level >= 0; level--)
        {
            if ((size >> level & 1) == 1)
            {
                nodes.Add((level, (size >> level) - 1));
            }
        }

        return nodes;
    }

    /// <summary>
    /// Appends <paramref name="publishedHashes"/> (32 bytes each) to a log of <paramref name="size"/>
    /// leaves whose frontier nodes are given.
    /// </summary>
    public static Appended Append(long size, IReadOnlyDictionary<(int Level, long Index), byte[]> frontier, IReadOnlyList<byte[]> publishedHashes)
    {
        var nodes = new Dictionary<(int Level, long Index), byte[]>(frontier);
        var added = new List<(int Level, long Index, byte[] Hash)>();
        var n = size;
        foreach (var published in publishedHashes)
        {
            if (published.Length != MerkleLog.HashSize)
            {
                throw new ArgumentException("a published hash is 32 bytes", nameof(publishedHashes));
            }

            var hash = MerkleLog.LeafHash(published);
            var index = n;
            nodes[(0, index)] = hash;
            added.Add((0, index, hash));
            // Each completed pair of subtrees makes the next level's node.
            for (var level = 1; (index & 1) == 1; level++)
            {
                var left = nodes[(level - 1, index - 1)];
                hash = MerkleLog.NodeHash(left, hash);
                index >>= 1;
                nodes[(level, index)] = hash;
                added.Add((level, index, hash));
            }

            n++;
        }

        var store = new DictionaryNodes(nodes);
        return new Appended(n, MerkleLog.Root(store, n), added, store);
    }

    /// <summary>The result of an append: the new size and root, the nodes to store, and the nodes in memory for the new leaves' inclusion proofs.</summary>
    public sealed record Appended(long Size, byte[] Root, IReadOnlyList<(int Level, long Index, byte[] Hash)> NewNodes, ILogNodes Nodes)
    {
        /// <summary>The new size's frontier hashes, concatenated (what <see cref="LogHead.Frontier"/> keeps).</summary>
        public byte[] Frontier() => [.. ConsultationLog.Frontier(Size).SelectMany(n => Nodes.Get(n.Level, n.Index))];
    }

    /// <summary>Reads a head's concatenated frontier hashes back as nodes.</summary>
    public static Dictionary<(int Level, long Index), byte[]> FrontierNodes(long size, byte[] frontier)
    {
        var positions = Frontier(size);
        if (frontier.Length != positions.Count * MerkleLog.HashSize)
        {
            throw new InvalidOperationException($"the log head of size {size} holds {frontier.Length} frontier bytes");
        }

        var nodes = new Dictionary<(int, long), byte[]>();
        for (var i = 0; i < positions.Count; i++)
        {
            nodes[positions[i]] = frontier.AsSpan(i * MerkleLog.HashSize, MerkleLog.HashSize).ToArray();
        }

        return nodes;
    }

    private sealed class DictionaryNodes(Dictionary<(int Level, long Index), byte[]> nodes) : ILogNodes
    {
        // The old frontier and the new nodes hold every node a new leaf's proof and the new root read.
        public byte[] Get(int level, long index) => nodes.TryGetValue((level, index), out var hash)
            ? hash
            : throw new InvalidOperationException($"log node ({level}, {index}) is not in memory");
    }
}

/// <summary>The stored hash of one complete subtree of a consultation's log (level 0: a leaf hash).</summary>
public sealed class LogNode
{
    private LogNode()
    {
        Hash = [];
    }

    public LogNode(Guid consultationId, int level, long index, byte[] hash)
    {
        ConsultationId = consultationId;
        Level = level;
        Index = index;
        Hash = hash;
    }

    public Guid ConsultationId { get; private set; }

    public int Level { get; private set; }

    public long Index { get; private set; }

    public byte[] Hash { get; private set; }
}

/// <summary>
/// The head of a consultation's log: its size. Its row is what intake transactions lock (one at a
/// time per consultation) to give the new leaves their indexes.
/// </summary>
public sealed class LogHead
{
    private LogHead()
    {
    }

    public LogHead(Guid consultationId) => ConsultationId = consultationId;

    public Guid ConsultationId { get; private set; }

    public long Size { get; private set; }

    /// <summary>The hashes of the <see cref="ConsultationLog.Frontier"/> nodes of <see cref="Size"/>, largest first, 32 bytes each: all an append reads.</summary>
    public byte[] Frontier { get; private set; } = [];

    public void Advance(long size, byte[] frontier)
    {
        if (size < Size)
        {
            throw new InvalidOperationException("a log only grows");
        }

        Size = size;
        Frontier = frontier;
    }
}

/// <summary>A checkpoint as stored: the signed text and its signature (see <see cref="Checkpoint"/>).</summary>
public sealed class LogCheckpoint
{
    private LogCheckpoint()
    {
        Text = KeyId = "";
        Signature = Root = [];
    }

    public Guid ConsultationId { get; private set; }

    public long Size { get; private set; }

    public byte[] Root { get; private set; }

    public Instant SignedAt { get; private set; }

    public string Text { get; private set; }

    public byte[] Signature { get; private set; }

    public string KeyId { get; private set; }

    /// <summary>Signs the log's state: checkpoint times are whole milliseconds, as the text carries them.</summary>
    public static LogCheckpoint Sign(Guid consultationId, long size, byte[] root, Instant now, ECDsa key, string keyId)
    {
        var time = Instant.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds());
        var checkpoint = new Checkpoint(consultationId.ToString(), size, root, time.ToDateTimeOffset());
        return new LogCheckpoint
        {
            ConsultationId = consultationId,
            Size = size,
            Root = root,
            SignedAt = time,
            Text = checkpoint.Text,
            Signature = checkpoint.Sign(key),
            KeyId = keyId,
        };
    }
}
