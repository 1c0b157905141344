using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Wsis.Consultations.Model.Mail;

namespace Wsis.Consultations.Model;

/// <summary>
/// How an e-mail finds its consultation. Each consultation has a routing code of six symbols
/// (Crockford base 32), which appears in its address (from the template
/// <c>Consultations:Mail:AddressTemplate</c>, e.g. <c>cwg-consultation+k7m2q9@itu.int</c>) and as a
/// subject tag <c>[CWG-K7M2Q9]</c> that survives forwarding and mailing lists.
/// </summary>
public static partial class MailRouting
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    public const string DefaultAddressTemplate = "cwg-consultation+{code}@itu.int";

    public static string NewCode()
    {
        Span<char> code = stackalloc char[6];
        for (var i = 0; i < code.Length; i++)
        {
            code[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        }

        return new string(code);
    }

    public static string SubjectTag(string code) => $"[CWG-{code}]";

    public static string Address(string template, string code) =>
        (string.IsNullOrWhiteSpace(template) ? DefaultAddressTemplate : template).Replace("{code}", code.ToLowerInvariant(), StringComparison.Ordinal);

    /// <summary>
    /// Routing codes the message may carry, most reliable first: the envelope recipient (what the
    /// mail server delivered to), then Delivered-To / X-Original-To / To / Cc, then the subject tag.
    /// The caller keeps the first one that names a known consultation.
    /// </summary>
    public static IReadOnlyList<string> CandidateCodes(string? envelopeRecipient, ReadMessage message)
    {
        var codes = new List<string>();
        AddFromAddress(envelopeRecipient, codes);
        foreach (var header in new[] { "Delivered-To", "X-Original-To" })
        {
            AddFromAddress(message.Header(header), codes);
        }

        foreach (var mailbox in message.To.Concat(message.Cc))
        {
            AddFromAddress(mailbox.Address, codes);
        }

        foreach (Match match in SubjectTagPattern().Matches(message.Subject))
        {
            Add(match.Groups[1].Value, codes);
        }

        return codes;
    }

    private static void AddFromAddress(string? address, List<string> codes)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            return;
        }

        var at = address.LastIndexOf('@');
        var local = (at > 0 ? address[..at] : address).Trim().Trim('<');
        foreach (var token in local.Split(['+', '-', '.', '_', '=']))
        {
            Add(token, codes);
        }
    }

    private static void Add(string token, List<string> codes)
    {
        var code = token.Trim().ToUpperInvariant();
        if (code.Length == 6 && code.All(c => Alphabet.Contains(c)) && !codes.Contains(code))
        {
            codes.Add(code);
        }
    }

    [GeneratedRegex(@"\[CWG-([0-9A-Za-z]{6})\]", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex SubjectTagPattern();
}
