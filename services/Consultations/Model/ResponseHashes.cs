using System.Security.Cryptography;
using System.Text;

namespace Wsis.Consultations.Model;

/// <summary>
/// The hashes that let anyone check a publication: each response's SHA-256 over exactly the
/// bytes stored and served, and a digest over the whole published set of a consultation.
/// </summary>
public static class ResponseHashes
{
    /// <summary>SHA-256 of the stored bytes, lowercase hex.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>
    /// The digest over a set of responses, independent of their order so anyone can recompute it
    /// from the public list: sort the responses' SHA-256 values (lowercase hex) ordinally, write
    /// each followed by a line feed, and take the SHA-256 (lowercase hex) of those UTF-8 bytes.
    /// The empty set's digest is the SHA-256 of no bytes.
    /// </summary>
    public static string SetDigest(IEnumerable<string> sha256Hexes)
    {
        var builder = new StringBuilder();
        foreach (var hex in sha256Hexes.Select(h => h.ToLowerInvariant()).Order(StringComparer.Ordinal))
        {
            builder.Append(hex).Append('\n');
        }

        return Sha256Hex(Encoding.UTF8.GetBytes(builder.ToString()));
    }
}
