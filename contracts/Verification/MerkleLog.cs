using System.Security.Cryptography;

namespace Wsis.Contracts.Verification;

/// <summary>
/// The hashing of a consultation's append-only log of published responses: a Merkle tree as RFC 9162
/// (Certificate Transparency 2.0) §2.1 defines it. A leaf is one response's published hash (the
/// SHA-256 of its published record), in the order the log received them. The recipe, so anyone can
/// recompute it in any language:
/// <list type="bullet">
/// <item>leaf hash: <c>SHA-256(0x00 ‖ published hash)</c>;</item>
/// <item>node hash: <c>SHA-256(0x01 ‖ left ‖ right)</c>;</item>
/// <item>the root of n leaves: the empty string's SHA-256 for n = 0, the leaf hash for n = 1,
/// otherwise the node hash of the root of the first k leaves and the root of the rest, k being the
/// largest power of two smaller than n.</item>
/// </list>
/// Inclusion and consistency proofs are RFC 9162's (§2.1.3, §2.1.4), verified by its algorithms.
/// </summary>
public static class MerkleLog
{
    public const int HashSize = 32;

    public static byte[] EmptyRoot() => SHA256.HashData([]);

    public static byte[] LeafHash(ReadOnlySpan<byte> data)
    {
        var input = new byte[1 + data.Length];
        data.CopyTo(input.AsSpan(1));
        return SHA256.HashData(input);
    }

    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> input = stackalloc byte[1 + 2 * HashSize];
        input[0] = 0x01;
        left.CopyTo(input[1..]);
        right.CopyTo(input[(1 + HashSize)..]);
        return SHA256.HashData(input);
    }

    /// <summary>The largest power of two smaller than <paramref name="n"/> (n ≥ 2).</summary>
    public static long Split(long n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 2);
        var k = 1L;
        while (k << 1 < n)
        {
            k <<= 1;
        }

        return k;
    }

    /// <summary>The root of a whole list of leaf hashes (for small lists, tests and verifiers; the service reads stored subtrees).</summary>
    public static byte[] Root(IReadOnlyList<byte[]> leafHashes) => Root(new ListNodes(leafHashes), leafHashes.Count);

    /// <summary>The root of the first <paramref name="size"/> leaves, from stored complete subtrees: O(log n) reads.</summary>
    public static byte[] Root(ILogNodes nodes, long size) => size == 0 ? EmptyRoot() : Range(nodes, 0, size);

    /// <summary>The inclusion proof (audit path) of leaf <paramref name="index"/> in the tree of <paramref name="size"/> leaves, RFC 9162 §2.1.3.1.</summary>
    public static List<byte[]> InclusionProof(ILogNodes nodes, long index, long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, size);
        var path = new List<byte[]>();
        Path(nodes, index, 0, size, path);
        return path;
    }

    /// <summary>The consistency proof between the trees of <paramref name="oldSize"/> and <paramref name="newSize"/> leaves, RFC 9162 §2.1.4.1.</summary>
    public static List<byte[]> ConsistencyProof(ILogNodes nodes, long oldSize, long newSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(oldSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(oldSize, newSize);
        var proof = new List<byte[]>();
        if (oldSize > 0 && oldSize < newSize)
        {
            SubProof(nodes, oldSize, 0, newSize, true, proof);
        }

        return proof;
    }

    /// <summary>RFC 9162 §2.1.3.2: whether <paramref name="path"/> proves the leaf hash at <paramref name="index"/> is in the tree with <paramref name="root"/>.</summary>
    public static bool VerifyInclusion(ReadOnlySpan<byte> leafHash, long index, long size, IReadOnlyList<byte[]> path, ReadOnlySpan<byte> root)
    {
        if (index < 0 || index >= size)
        {
            return false;
        }

        long fn = index, sn = size - 1;
        var r = leafHash.ToArray();
        foreach (var p in path)
        {
            if (sn == 0 || p.Length != HashSize)
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                r = NodeHash(p, r);
                if ((fn & 1) == 0)
                {
                    do
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                    while ((fn & 1) == 0 && fn != 0);
                }
            }
            else
            {
                r = NodeHash(r, p);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 && r.AsSpan().SequenceEqual(root);
    }

    /// <summary>RFC 9162 §2.1.4.2: whether <paramref name="proof"/> proves the tree of <paramref name="oldSize"/> with <paramref name="oldRoot"/> is a prefix of the tree of <paramref name="newSize"/> with <paramref name="newRoot"/>.</summary>
    public static bool VerifyConsistency(long oldSize, long newSize, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> oldRoot, ReadOnlySpan<byte> newRoot)
    {
        if (oldSize < 0 || oldSize > newSize)
        {
            return false;
        }

        if (oldSize == newSize)
        {
            return proof.Count == 0 && oldRoot.SequenceEqual(newRoot);
        }

        if (oldSize == 0)
        {
            // Everything is consistent with the empty tree; RFC 9162 sends no proof for it.
            return proof.Count == 0;
        }

        if (proof.Count == 0 || proof.Any(p => p.Length != HashSize))
        {
            return false;
        }

        var path = new List<byte[]>(proof);
        if (IsPowerOfTwo(oldSize))
        {
            path.Insert(0, oldRoot.ToArray());
        }

        long fn = oldSize - 1, sn = newSize - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        var fr = path[0];
        var sr = path[0];
        foreach (var c in path.Skip(1))
        {
            if (sn == 0)
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                fr = NodeHash(c, fr);
                sr = NodeHash(c, sr);
                if ((fn & 1) == 0)
                {
                    do
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                    while ((fn & 1) == 0 && fn != 0);
                }
            }
            else
            {
                sr = NodeHash(sr, c);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 && fr.AsSpan().SequenceEqual(oldRoot) && sr.AsSpan().SequenceEqual(newRoot);
    }

    private static bool IsPowerOfTwo(long n) => n > 0 && (n & (n - 1)) == 0;

    /// <summary>MTH(D[start:start+count]): a stored node when the range is a whole aligned subtree, else split as RFC 9162 does.</summary>
    private static byte[] Range(ILogNodes nodes, long start, long count)
    {
        if (IsPowerOfTwo(count) && start % count == 0)
        {
            return nodes.Get(System.Numerics.BitOperations.Log2((ulong)count), start / count);
        }

        var k = Split(count);
        return NodeHash(Range(nodes, start, k), Range(nodes, start + k, count - k));
    }

    private static void Path(ILogNodes nodes, long m, long start, long n, List<byte[]> path)
    {
        if (n <= 1)
        {
            return;
        }

        var k = Split(n);
        if (m < k)
        {
            Path(nodes, m, start, k, path);
            path.Add(Range(nodes, start + k, n - k));
        }
        else
        {
            Path(nodes, m - k, start + k, n - k, path);
            path.Add(Range(nodes, start, k));
        }
    }

    private static void SubProof(ILogNodes nodes, long m, long start, long n, bool complete, List<byte[]> proof)
    {
        if (m == n)
        {
            if (!complete)
            {
                proof.Add(Range(nodes, start, m));
            }

            return;
        }

        var k = Split(n);
        if (m <= k)
        {
            SubProof(nodes, m, start, k, complete, proof);
            proof.Add(Range(nodes, start + k, n - k));
        }
        else
        {
            SubProof(nodes, m - k, start + k, n - k, false, proof);
            proof.Add(Range(nodes, start, k));
        }
    }

    /// <summary>Nodes computed from a whole list of leaf hashes (no store).</summary>
    private sealed class ListNodes(IReadOnlyList<byte[]> leaves) : ILogNodes
    {
        public byte[] Get(int level, long index)
        {
            if (level == 0)
            {
                return leaves[(int)index];
            }

            return NodeHash(Get(level - 1, 2 * index), Get(level - 1, 2 * index + 1));
        }
    }
}

/// <summary>
/// The hashes of a log's complete subtrees: node (level, index) is the root of leaves
/// [index·2^level, (index+1)·2^level). Level 0 holds the leaf hashes. A complete subtree never
/// changes, so a store writes each node once.
/// </summary>
public interface ILogNodes
{
    byte[] Get(int level, long index);
}
