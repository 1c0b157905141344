using Wsis.Contracts.Verification;

namespace Wsis.Consultations.Tests.Service;

/// <summary>The closing digest as the README's recipe computes it from the public list alone.</summary>
internal static class LogRecipe
{
    /// <summary>Hex root of the RFC 9162 tree over the listed responses' published hashes, in leaf-index order.</summary>
    public static string Digest(IEnumerable<V1.Response> listed) =>
        Convert.ToHexStringLower(MerkleLog.Root([.. listed.OrderBy(r => r.LeafIndex).Select(r => MerkleLog.LeafHash(Convert.FromHexString(r.PublishedSha256)))]));
}
