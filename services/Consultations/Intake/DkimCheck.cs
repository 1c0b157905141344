using System.Net;
using DnsClient;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;
using Wsis.Consultations.Model;
using Wsis.Consultations.Model.Mail;

namespace Wsis.Consultations.Intake;

/// <summary>
/// Checks an e-mail's DKIM signatures (RFC 6376) at receipt with MimeKit's <see cref="DkimVerifier"/>,
/// fetching each signing domain's key from DNS (DnsClient; resolver from
/// <c>Consultations:Dkim:NameServers</c>, else the system's). The outcome is recorded on the
/// response, never a reason to refuse it: PASS (with the domain) when any signature verifies, FAIL
/// when none does, TEMPERROR when a key could not be fetched, NONE when unsigned.
/// </summary>
public sealed partial class DkimCheck
{
    private readonly DkimVerifier? _verifier;
    private readonly ILogger<DkimCheck> _logger;

    public DkimCheck(IOptions<ConsultationsOptions> options, ILogger<DkimCheck> logger)
    {
        _logger = logger;
        var settings = options.Value.Dkim;
        if (!settings.Enabled)
        {
            return;
        }

        var servers = settings.NameServers.Where(s => !string.IsNullOrWhiteSpace(s)).Select(NameServer).ToArray();
        var lookup = servers.Length > 0 ? new LookupClientOptions(servers) : new LookupClientOptions();
        lookup.Timeout = TimeSpan.FromMilliseconds(Math.Max(100, settings.TimeoutMilliseconds));
        lookup.Retries = 1;
        lookup.UseCache = true;
        lookup.ThrowDnsErrors = false;
        _verifier = new DkimVerifier(new DnsDkimKeys(new LookupClient(lookup)));
    }

    public async Task<SenderVerification> VerifyAsync(byte[] raw, ReadMessage read, CancellationToken cancellationToken)
    {
        var signed = read.Headers.Where(h => string.Equals(h.Name, "DKIM-Signature", StringComparison.OrdinalIgnoreCase)).ToList();
        if (signed.Count == 0)
        {
            return SenderVerification.Unsigned;
        }

        var claimed = Tag(signed[0].RawValue, "d");
        if (_verifier is null || read.Problems.Any(p => p.Kind is MailProblemKind.DepthLimitExceeded or MailProblemKind.PartLimitExceeded
                or MailProblemKind.SizeLimitExceeded or MailProblemKind.HeaderLimitExceeded))
        {
            // Disabled, or a message the reader bounded: MimeKit is not asked to parse it whole.
            return new SenderVerification(DkimResult.NotChecked, claimed);
        }

        MimeMessage message;
        try
        {
            using var stream = new MemoryStream(raw, writable: false);
            message = await MimeMessage.LoadAsync(stream, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogUnverifiable(claimed, ex.GetType().Name);
            return new SenderVerification(DkimResult.Fail, claimed);
        }

        SenderVerification? outcome = null;
        foreach (var header in message.Headers.Where(h => h.Id == HeaderId.DkimSignature))
        {
            var domain = Tag(header.Value, "d");
            try
            {
                if (await _verifier.VerifyAsync(message, header, cancellationToken))
                {
                    return new SenderVerification(DkimResult.Pass, domain);
                }

                outcome ??= new SenderVerification(DkimResult.Fail, domain);
            }
            catch (DkimKeyUnavailableException)
            {
                outcome ??= new SenderVerification(DkimResult.TempError, domain);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A malformed signature or key record (MimeKit and BouncyCastle throw several kinds):
                // the signature does not verify, and the message is stored regardless.
                LogUnverifiable(domain, ex.GetType().Name);
                outcome ??= new SenderVerification(DkimResult.Fail, domain);
            }
        }

        return outcome ?? new SenderVerification(DkimResult.Fail, claimed);
    }

    /// <summary>A tag's value in a DKIM-Signature (e.g. d=example.org), trimmed; empty when absent.</summary>
    internal static string Tag(string value, string name)
    {
        foreach (var part in value.Split(';'))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && string.Equals(part[..eq].Trim(), name, StringComparison.Ordinal))
            {
                var tag = new string(part[(eq + 1)..].Where(c => !char.IsWhiteSpace(c)).ToArray());
                return tag.Length <= SenderVerification.DomainMax ? tag.ToLowerInvariant() : tag[..SenderVerification.DomainMax].ToLowerInvariant();
            }
        }

        return "";
    }

    private static IPEndPoint NameServer(string given)
    {
        if (IPEndPoint.TryParse(given.Trim(), out var endpoint))
        {
            return endpoint.Port == 0 ? new IPEndPoint(endpoint.Address, 53) : endpoint;
        }

        throw new InvalidOperationException($"Consultations:Dkim:NameServers: '{given}' is not an IP address with an optional port");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A DKIM signature of {Domain} could not be verified ({Error})")]
    private partial void LogUnverifiable(string domain, string error);

    /// <summary>Keys from TXT records at <c>selector._domainkey.domain</c>.</summary>
    private sealed class DnsDkimKeys(ILookupClient dns) : DkimPublicKeyLocatorBase
    {
        public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            LocatePublicKeyAsync(methods, domain, selector, cancellationToken).GetAwaiter().GetResult();

        public override async Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default)
        {
            if (!methods.Split(':').Any(m => string.Equals(m.Trim(), "dns/txt", StringComparison.OrdinalIgnoreCase)))
            {
                throw new NotSupportedException("only the dns/txt query method is supported");
            }

            IDnsQueryResponse response;
            try
            {
                response = await dns.QueryAsync($"{selector}._domainkey.{domain}", QueryType.TXT, QueryClass.IN, cancellationToken);
            }
            catch (DnsResponseException)
            {
                throw new DkimKeyUnavailableException();
            }

            if (response.HasError && response.Header.ResponseCode != DnsHeaderResponseCode.NotExistentDomain)
            {
                throw new DkimKeyUnavailableException();
            }

            var txt = response.Answers.TxtRecords().Select(r => string.Concat(r.Text)).FirstOrDefault()
                ?? throw new DkimKeyMissingException();
            return GetPublicKey(txt);
        }
    }

    private sealed class DkimKeyUnavailableException : Exception;

    private sealed class DkimKeyMissingException : Exception;
}
