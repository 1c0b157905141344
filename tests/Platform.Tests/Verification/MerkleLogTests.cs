using System.Security.Cryptography;
using System.Text;
using Wsis.Contracts.Verification;
using Xunit;

namespace Platform.Tests.Verification;

/// <summary>RFC 9162's Merkle tree: roots, inclusion and consistency proofs, and what a verifier catches.</summary>
public sealed class MerkleLogTests
{
    private static List<byte[]> Leaves(int n) =>
        Enumerable.Range(0, n).Select(i => MerkleLog.LeafHash(SHA256.HashData(Encoding.UTF8.GetBytes($"response {i}")))).ToList();

    [Fact]
    public void The_hashes_are_RFC_9162s()
    {
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Convert.ToHexStringLower(MerkleLog.EmptyRoot()));
        // The leaf hash of the empty string is SHA-256(0x00).
        Assert.Equal("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", Convert.ToHexStringLower(MerkleLog.LeafHash([])));
        var a = MerkleLog.LeafHash([1]);
        var b = MerkleLog.LeafHash([2]);
        Assert.Equal(SHA256.HashData([0x01, .. a, .. b]), MerkleLog.Root([a, b]));
        // Three leaves: the first two form the left subtree, the third stands alone on the right.
        var c = MerkleLog.LeafHash([3]);
        Assert.Equal(MerkleLog.NodeHash(MerkleLog.NodeHash(a, b), c), MerkleLog.Root([a, b, c]));
    }

    [Fact]
    public void Every_leaf_of_every_tree_up_to_70_has_an_inclusion_proof_that_verifies_and_only_for_itself()
    {
        var leaves = Leaves(70);
        for (var n = 1; n <= leaves.Count; n++)
        {
            var tree = leaves.Take(n).ToList();
            var root = MerkleLog.Root(tree);
            var nodes = new Nodes(tree);
            for (var i = 0; i < n; i++)
            {
                var path = MerkleLog.InclusionProof(nodes, i, n);
                Assert.True(MerkleLog.VerifyInclusion(tree[i], i, n, path, root), $"leaf {i} of {n}");
                Assert.False(MerkleLog.VerifyInclusion(tree[(i + 1) % n], i, n, path, root) && n > 1, $"another leaf at {i} of {n}");
                if (n > 1)
                {
                    Assert.False(MerkleLog.VerifyInclusion(tree[i], (i + 1) % n, n, path, root), $"leaf {i} of {n} at another index");
                }
            }
        }
    }

    [Fact]
    public void Every_pair_of_tree_sizes_up_to_40_has_a_consistency_proof_and_a_rewritten_history_fails_it()
    {
        var leaves = Leaves(40);
        var nodes = new Nodes(leaves);
        for (var n = 1; n <= leaves.Count; n++)
        {
            var newRoot = MerkleLog.Root(leaves.Take(n).ToList());
            for (var m = 1; m <= n; m++)
            {
                var oldRoot = MerkleLog.Root(leaves.Take(m).ToList());
                var proof = MerkleLog.ConsistencyProof(nodes, m, n);
                Assert.True(MerkleLog.VerifyConsistency(m, n, proof, oldRoot, newRoot), $"{m} → {n}");
                if (m < n)
                {
                    // The old tree with one response swapped (a reordered or edited log) is not a prefix.
                    var rewritten = leaves.Take(m).ToList();
                    rewritten[m - 1] = leaves[m];
                    Assert.False(MerkleLog.VerifyConsistency(m, n, proof, MerkleLog.Root(rewritten), newRoot), $"rewritten {m} → {n}");
                }
            }
        }
    }

    [Fact]
    public void A_dropped_response_changes_the_root()
    {
        var leaves = Leaves(9);
        var dropped = leaves.Where((_, i) => i != 4).ToList();
        Assert.NotEqual(MerkleLog.Root(leaves.Take(8).ToList()), MerkleLog.Root(dropped));
    }

    [Fact]
    public void A_checkpoint_signs_its_text_and_a_changed_field_fails_verification()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var checkpoint = new Checkpoint("0195f0c2-0000-7000-8000-000000000001", 70, MerkleLog.Root(Leaves(70)), new DateTimeOffset(2027, 2, 28, 23, 0, 0, TimeSpan.Zero));
        var signature = checkpoint.Sign(key);
        Assert.Equal(64, signature.Length);
        Assert.True(checkpoint.Verify(key, signature));
        Assert.Equal(checkpoint, Checkpoint.Parse(checkpoint.Text) is { } parsed ? parsed with { Root = checkpoint.Root } : null);
        Assert.StartsWith("wsis-consultations/0195f0c2-0000-7000-8000-000000000001\n70\n", checkpoint.Text);
        Assert.EndsWith("\n2027-02-28T23:00:00.000Z\n", checkpoint.Text);
        Assert.False((checkpoint with { Size = 69 }).Verify(key, signature));
        Assert.False((checkpoint with { ConsultationId = "another" }).Verify(key, signature));
        Assert.Null(Checkpoint.Parse(checkpoint.Text.Replace("\n70\n", "\n+70\n")));
    }

    private sealed class Nodes(IReadOnlyList<byte[]> leaves) : ILogNodes
    {
        public byte[] Get(int level, long index) =>
            level == 0 ? leaves[(int)index] : MerkleLog.NodeHash(Get(level - 1, 2 * index), Get(level - 1, 2 * index + 1));
    }
}

/// <summary>
/// The same proofs and signatures checked by an independent implementation: Python's hashlib and the
/// cryptography package (Debian python3-cryptography), written from RFC 9162 alone.
/// </summary>
public sealed class IndependentVerifierTests
{
    [Fact]
    public async Task Python_accepts_the_proofs_and_signatures_and_catches_a_tampered_one()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var published = Enumerable.Range(0, 37).Select(i => SHA256.HashData(Encoding.UTF8.GetBytes($"record {i}"))).ToList();
        var leaves = published.Select(p => MerkleLog.LeafHash(p)).ToList();
        var nodes = new ListOfLeaves(leaves);
        object Checkpoint(int size)
        {
            var checkpoint = new Checkpoint("c-1", size, MerkleLog.Root(nodes, size), DateTimeOffset.UtcNow);
            return new { text = checkpoint.Text, signature = Convert.ToBase64String(checkpoint.Sign(key)) };
        }

        var sizes = new[] { 1, 8, 13, 37 };
        var document = new
        {
            public_key_pem = key.ExportSubjectPublicKeyInfoPem(),
            leaves = published.Select(Convert.ToHexStringLower).ToList(),
            checkpoints = sizes.Select(Checkpoint).ToList(),
            inclusion = new[] { (0, 1), (5, 8), (12, 13), (36, 37), (0, 37), (20, 37) }
                .Select(c => new { published_sha256 = Convert.ToHexStringLower(published[c.Item1]), index = c.Item1, size = c.Item2, path = MerkleLog.InclusionProof(nodes, c.Item1, c.Item2).Select(Convert.ToBase64String).ToList() }).ToList(),
            consistency = new[] { (1, 8), (8, 13), (13, 37), (1, 37) }
                .Select(c => new { old_size = c.Item1, new_size = c.Item2, proof = MerkleLog.ConsistencyProof(nodes, c.Item1, c.Item2).Select(Convert.ToBase64String).ToList() }).ToList(),
        };

        var (code, output) = await RunPythonAsync(document);
        Assert.True(code == 0, output);
        Assert.Equal(4 + 1 + 6 + 4, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.StartsWith("OK ", StringComparison.Ordinal)));

        // One edited record: its inclusion proof no longer leads to the signed root.
        var json = System.Text.Json.JsonSerializer.Serialize(document).Replace(Convert.ToHexStringLower(published[20]), Convert.ToHexStringLower(SHA256.HashData("edited"u8)));
        (code, output) = await RunPythonAsync(json);
        Assert.Equal(1, code);
        Assert.Contains("FAIL inclusion of leaf 20 in 37", output);
        Assert.Contains("FAIL root of 37 leaves", output);
    }

    private static Task<(int, string)> RunPythonAsync(object document) => RunPythonAsync(System.Text.Json.JsonSerializer.Serialize(document));

    private static async Task<(int, string)> RunPythonAsync(string json)
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, json);
        try
        {
            var info = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Verification", "verify_log.py"));
            info.ArgumentList.Add(file);
            using var process = System.Diagnostics.Process.Start(info)!;
            var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private sealed class ListOfLeaves(IReadOnlyList<byte[]> leaves) : ILogNodes
    {
        public byte[] Get(int level, long index) =>
            level == 0 ? leaves[(int)index] : MerkleLog.NodeHash(Get(level - 1, 2 * index), Get(level - 1, 2 * index + 1));
    }
}
