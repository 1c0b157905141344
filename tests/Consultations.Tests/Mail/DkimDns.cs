using System.Diagnostics;
using System.Security.Cryptography;
using MimeKit;
using MimeKit.Cryptography;
using Testing;

namespace Wsis.Consultations.Tests.Mail;

/// <summary>
/// A real DNS server for DKIM tests: Debian's dnsmasq on a free loopback port, serving the TXT
/// records of the test's signing keys (<c>selector._domainkey.domain</c>) and nothing else.
/// </summary>
public sealed class DkimDns : IAsyncDisposable
{
    private readonly Process _process;

    private DkimDns(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string NameServer => $"127.0.0.1:{Port}";

    /// <summary>A signing key and the TXT record publishing its public half.</summary>
    public sealed record SigningKey(string Domain, string Selector, RSA Rsa)
    {
        public static SigningKey Create(string domain, string selector) => new(domain, selector, RSA.Create(2048));

        /// <summary>dnsmasq's --txt-record value: the record split in strings of at most 255 characters.</summary>
        public string TxtRecordOption()
        {
            var record = "v=DKIM1; k=rsa; p=" + Convert.ToBase64String(Rsa.ExportSubjectPublicKeyInfo());
            var strings = record.Chunk(200).Select(c => new string(c));
            return $"--txt-record={Selector}._domainkey.{Domain},{string.Join(',', strings)}";
        }

        /// <summary>Signs a message (relaxed/relaxed, From, To, Subject) as the domain's mail server would; the signed bytes with CRLF line ends.</summary>
        public byte[] Sign(byte[] raw)
        {
            var message = MimeMessage.Load(new MemoryStream(raw));
            using var pem = new MemoryStream(System.Text.Encoding.ASCII.GetBytes(Rsa.ExportRSAPrivateKeyPem()));
            var signer = new DkimSigner(pem, Domain, Selector)
            {
                HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
                BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            };
            var format = FormatOptions.Default.Clone();
            format.NewLineFormat = NewLineFormat.Dos;
            signer.Sign(format, message, [HeaderId.From, HeaderId.To, HeaderId.Subject]);
            using var output = new MemoryStream();
            message.WriteTo(format, output);
            return output.ToArray();
        }
    }

    /// <param name="alsoAnswering">Domains the server answers for with no records (NXDOMAIN), as their authoritative server would.</param>
    public static async Task<DkimDns> StartAsync(SigningKey[] keys, params string[] alsoAnswering)
    {
        const string dnsmasq = "/usr/sbin/dnsmasq";
        if (!File.Exists(dnsmasq))
        {
            throw new MissingDependencyException("dnsmasq", "dnsmasq-base");
        }

        var port = FreePort.Next();
        var info = new ProcessStartInfo(dnsmasq) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--pid-file=", "--bind-interfaces", "--listen-address=127.0.0.1", $"--port={port}", "--user=root" })
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var key in keys)
        {
            info.ArgumentList.Add(key.TxtRecordOption());
        }

        // Authoritative for these domains: a name without a record is NXDOMAIN, not REFUSED.
        foreach (var domain in keys.Select(k => k.Domain).Concat(alsoAnswering).Distinct())
        {
            info.ArgumentList.Add($"--local=/{domain}/");
        }

        var process = Process.Start(info)!;
        var server = new DkimDns(process, port);
        var client = new DnsClient.LookupClient(new DnsClient.LookupClientOptions(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port)) { Timeout = TimeSpan.FromMilliseconds(200), Retries = 0, UseCache = false });
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException("dnsmasq exited: " + await process.StandardError.ReadToEndAsync());
            }

            try
            {
                await client.QueryAsync("ready.test", DnsClient.QueryType.TXT);
                return server;
            }
            catch (DnsClient.DnsResponseException)
            {
                await Task.Delay(100);
            }
        }

        await server.DisposeAsync();
        throw new InvalidOperationException("dnsmasq did not answer within 5 s");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
