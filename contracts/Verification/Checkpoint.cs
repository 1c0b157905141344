using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Wsis.Contracts.Verification;

/// <summary>
/// A signed statement of a consultation log's state: its size and root at a time. The text, UTF-8
/// with a line feed after each line, is exactly:
/// <code>
/// wsis-consultations/&lt;consultation id&gt;
/// &lt;tree size, decimal&gt;
/// &lt;root hash, base64&gt;
/// &lt;time, RFC 3339 UTC with milliseconds, e.g. 2027-02-28T23:00:00.000Z&gt;
/// </code>
/// and the signature is ECDSA P-256 with SHA-256 over those bytes, in IEEE P1363 form (r ‖ s, 64
/// bytes, as Web Crypto produces and expects), base64. The first line ties a checkpoint to one
/// consultation, so it cannot be passed off as another's. The public key is published as
/// SubjectPublicKeyInfo (PEM).
/// </summary>
public sealed record Checkpoint(string ConsultationId, long Size, byte[] Root, DateTimeOffset Time)
{
    public const string OriginPrefix = "wsis-consultations/";

    public string Text => string.Create(CultureInfo.InvariantCulture,
        $"{OriginPrefix}{ConsultationId}\n{Size}\n{Convert.ToBase64String(Root)}\n{Time.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fff}Z\n");

    public byte[] Sign(ECDsa key) => key.SignData(Encoding.UTF8.GetBytes(Text), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    public bool Verify(ECDsa publicKey, ReadOnlySpan<byte> signature) =>
        publicKey.VerifyData(Encoding.UTF8.GetBytes(Text), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>Reads a checkpoint's text back; null when it is not one.</summary>
    public static Checkpoint? Parse(string text)
    {
        var lines = text.Split('\n');
        if (lines.Length != 5 || lines[4].Length != 0 || !lines[0].StartsWith(OriginPrefix, StringComparison.Ordinal)
            || !long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            || !DateTimeOffset.TryParseExact(lines[3], "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return null;
        }

        try
        {
            var root = Convert.FromBase64String(lines[2]);
            var checkpoint = new Checkpoint(lines[0][OriginPrefix.Length..], size, root, time);
            return root.Length == MerkleLog.HashSize && checkpoint.Text == text ? checkpoint : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>A short name for a public key: the first 8 bytes of the SHA-256 of its SubjectPublicKeyInfo, hex.</summary>
    public static string KeyId(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()).AsSpan(0, 8));
}
