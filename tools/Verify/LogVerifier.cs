using System.Security.Cryptography;
using System.Text.Json;
using Wsis.Consultations.V1;
using Wsis.Contracts.Verification;

namespace Wsis.Verify;

/// <summary>
/// The checks, each from the published material alone: a record's bytes and format, a receipt's
/// signed checkpoint and inclusion proof, a consistency proof between two checkpoints, and a whole
/// log rebuilt from the listed published hashes.
/// </summary>
public static class LogVerifier
{
    public const string RecordFormat = "wsis-published-response/1";

    /// <summary>A downloaded published record: its SHA-256 (against <paramref name="expectedSha256"/> when given) and its format.</summary>
    public static string CheckRecord(Findings findings, ReadOnlySpan<byte> content, string? expectedSha256)
    {
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(content));
        if (expectedSha256 is not null)
        {
            findings.Check(string.Equals(sha256, expectedSha256, StringComparison.OrdinalIgnoreCase),
                $"record SHA-256 {sha256} {(string.Equals(sha256, expectedSha256, StringComparison.OrdinalIgnoreCase) ? "is" : "is not")} the published hash {expectedSha256}");
        }

        try
        {
            using var json = JsonDocument.Parse(content.ToArray());
            var format = json.RootElement.TryGetProperty("format", out var f) ? f.GetString() : null;
            findings.Check(format == RecordFormat, $"record format {format ?? "(none)"}");
        }
        catch (JsonException)
        {
            findings.Check(false, "record is not JSON");
        }

        return sha256;
    }

    /// <summary>A checkpoint's signature with the key, the key id it names, and its text's fields.</summary>
    public static Checkpoint? CheckCheckpoint(Findings findings, SignedCheckpoint signed, ECDsa key, string? consultationId)
    {
        var checkpoint = Checkpoint.Parse(signed.Text);
        if (!findings.Check(checkpoint is not null, "checkpoint text is well formed"))
        {
            return null;
        }

        findings.Check(checkpoint!.Verify(key, signed.Signature.Span), $"checkpoint of size {checkpoint.Size} is signed by key {Checkpoint.KeyId(key)}");
        if (consultationId is not null)
        {
            findings.Check(checkpoint.ConsultationId == consultationId, $"checkpoint names consultation {checkpoint.ConsultationId}");
        }

        return checkpoint;
    }

    /// <summary>An inclusion proof (a receipt's or a fresh one): its checkpoint, and the path from the published hash to its root.</summary>
    public static bool CheckInclusion(Findings findings, InclusionProof proof, ECDsa key)
    {
        var checkpoint = CheckCheckpoint(findings, proof.Checkpoint, key, proof.ConsultationId);
        if (checkpoint is null)
        {
            return false;
        }

        byte[] published;
        try
        {
            published = Convert.FromHexString(proof.PublishedSha256);
        }
        catch (FormatException)
        {
            return findings.Check(false, "the proof's published hash is not hex");
        }

        findings.Check(checkpoint.Size == proof.TreeSize, $"proof is for the checkpoint's size {checkpoint.Size}");
        return findings.Check(
            published.Length == MerkleLog.HashSize
            && MerkleLog.VerifyInclusion(MerkleLog.LeafHash(published), proof.LeafIndex, checkpoint.Size, [.. proof.Path.Select(p => p.ToByteArray())], checkpoint.Root),
            $"response {proof.ResponseId} is leaf {proof.LeafIndex} of the log of size {checkpoint.Size}");
    }

    /// <summary>That the older checkpoint's log is a prefix of the newer one's.</summary>
    public static bool CheckConsistency(Findings findings, ConsistencyProof proof, ECDsa key)
    {
        var older = CheckCheckpoint(findings, proof.OldCheckpoint, key, proof.ConsultationId);
        var newer = CheckCheckpoint(findings, proof.NewCheckpoint, key, proof.ConsultationId);
        return older is not null && newer is not null && findings.Check(
            MerkleLog.VerifyConsistency(older.Size, newer.Size, [.. proof.Proof.Select(p => p.ToByteArray())], older.Root, newer.Root),
            $"the log of size {older.Size} is a prefix of the log of size {newer.Size}");
    }

    /// <summary>
    /// A whole log: the listed published hashes, by leaf index, must be exactly leaves 0…size−1 and
    /// give the checkpoint's root. A dropped, added, altered or reordered response changes the root.
    /// </summary>
    public static bool CheckLeaves(Findings findings, IReadOnlyList<(long LeafIndex, string PublishedSha256)> leaves, Checkpoint checkpoint)
    {
        var ordered = leaves.OrderBy(l => l.LeafIndex).ToList();
        var complete = ordered.Select((l, i) => l.LeafIndex == i).All(x => x) && ordered.Count == checkpoint.Size;
        findings.Check(complete, $"{ordered.Count} listed responses are leaves 0…{checkpoint.Size - 1} of the checkpoint, each once");
        byte[] root;
        try
        {
            root = MerkleLog.Root([.. ordered.Select(l => MerkleLog.LeafHash(Convert.FromHexString(l.PublishedSha256)))]);
        }
        catch (FormatException)
        {
            return findings.Check(false, "a listed published hash is not hex");
        }

        return findings.Check(complete && root.AsSpan().SequenceEqual(checkpoint.Root),
            $"the root over the listed published hashes {(root.AsSpan().SequenceEqual(checkpoint.Root) ? "is" : "is not")} the checkpoint's root {Convert.ToHexStringLower(checkpoint.Root)}");
    }
}
