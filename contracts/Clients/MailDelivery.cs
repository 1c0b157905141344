using System.Security.Cryptography;
using System.Text;

namespace Wsis.Contracts.Clients;

/// <summary>What the two mail doors (the MTA pipe <c>wsis-mail-ingest</c> and the SMTP door) share.</summary>
public static class MailDelivery
{
    /// <summary>
    /// The <c>request_id</c> of one message for one recipient: a relay's retry, or the same message
    /// reaching both doors, is stored once; the same message to two consultation addresses is stored
    /// for each.
    /// </summary>
    public static string RequestId(ReadOnlySpan<byte> rawMessage, string recipient) =>
        $"mail-sha256-{Convert.ToHexStringLower(SHA256.HashData(rawMessage))}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(recipient.Trim().ToLowerInvariant()))).AsSpan(0, 16)}";
}
