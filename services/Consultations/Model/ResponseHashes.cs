using System.Security.Cryptography;

namespace Wsis.Consultations.Model;

/// <summary>
/// The hashes that let anyone check a publication: each response's SHA-256 over exactly the
/// bytes stored and served (received, published record, attachments). The whole published set of
/// a consultation is fixed by its log (<see cref="ConsultationLog"/>).
/// </summary>
public static class ResponseHashes
{
    /// <summary>SHA-256 of the stored bytes, lowercase hex.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));
}
