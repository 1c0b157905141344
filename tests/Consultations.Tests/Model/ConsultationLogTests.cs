using System.Security.Cryptography;
using System.Text;
using Wsis.Consultations.Model;
using Wsis.Contracts.Verification;
using Xunit;

namespace Wsis.Consultations.Tests.Model;

/// <summary>Appending to a consultation's log from its head's frontier alone gives RFC 9162's tree.</summary>
public class ConsultationLogTests
{
    private static byte[] Published(int i) => SHA256.HashData(Encoding.UTF8.GetBytes($"record {i}"));

    [Fact]
    public void Appending_in_batches_of_any_size_from_the_frontier_gives_the_root_of_the_whole_list_and_proofs_that_verify()
    {
        var random = new Random(26);
        var all = new List<byte[]>();
        var stored = new Dictionary<(int, long), byte[]>();
        long size = 0;
        var frontier = Array.Empty<byte>();
        while (size < 300)
        {
            var batch = Enumerable.Range((int)size, random.Next(1, 40)).Select(Published).ToList();
            var appended = ConsultationLog.Append(size, ConsultationLog.FrontierNodes(size, frontier), batch);
            all.AddRange(batch);

            Assert.Equal(all.Count, appended.Size);
            var expected = MerkleLog.Root([.. all.Select(h => MerkleLog.LeafHash(h))]);
            Assert.Equal(expected, appended.Root);
            for (var i = size; i < appended.Size; i++)
            {
                var path = MerkleLog.InclusionProof(appended.Nodes, i, appended.Size);
                Assert.True(MerkleLog.VerifyInclusion(MerkleLog.LeafHash(all[(int)i]), i, appended.Size, path, appended.Root), $"leaf {i} of {appended.Size}");
            }

            foreach (var (level, index, hash) in appended.NewNodes)
            {
                Assert.True(stored.TryAdd((level, index), hash), $"node ({level}, {index}) written twice");
            }

            size = appended.Size;
            frontier = appended.Frontier();
            Assert.Equal(ConsultationLog.Frontier(size).Count * 32, frontier.Length);
        }

        // The stored nodes are every complete subtree: the stored-node reader proves any leaf in any size.
        var nodes = new StoredNodes(stored);
        Assert.Equal(MerkleLog.Root([.. all.Take(77).Select(h => MerkleLog.LeafHash(h))]), MerkleLog.Root(nodes, 77));
        Assert.True(MerkleLog.VerifyConsistency(77, size, MerkleLog.ConsistencyProof(nodes, 77, size), MerkleLog.Root(nodes, 77), MerkleLog.Root(nodes, size)));
    }

    [Fact]
    public void The_frontier_of_a_size_is_one_complete_subtree_per_set_bit_largest_first()
    {
        Assert.Empty(ConsultationLog.Frontier(0));
        Assert.Equal([(2, 0L), (1, 2L)], ConsultationLog.Frontier(6));
        Assert.Equal([(0, 6L)], ConsultationLog.Frontier(7).Skip(2));
        Assert.Equal(20, ConsultationLog.Frontier((1 << 20) - 1).Count);
    }

    private sealed class StoredNodes(Dictionary<(int, long), byte[]> nodes) : ILogNodes
    {
        public byte[] Get(int level, long index) => nodes[(level, index)];
    }
}
