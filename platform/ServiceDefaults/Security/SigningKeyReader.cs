using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.IdentityModel.Tokens;

namespace Platform.Security;

/// <summary>
/// Reads the entries of <c>Auth:SigningKeys</c>: each is either a base64 HS256 secret or a
/// PEM public key (RSA or EC, as SubjectPublicKeyInfo, PKCS#1 RSA, or an X.509 certificate).
/// </summary>
public static class SigningKeyReader
{
    // HS256 needs at least 256 bits of secret (RFC 7518 §3.2); IdentityModel refuses less.
    private const int MinimumSecretBytes = 32;

    public static IReadOnlyList<SecurityKey> Read(IEnumerable<string?> entries)
    {
        var keys = new List<SecurityKey>();
        var index = 0;
        foreach (var entry in entries)
        {
            var position = $"Auth:SigningKeys:{index++}";
            if (string.IsNullOrWhiteSpace(entry))
            {
                throw new InvalidOperationException($"{position} is empty.");
            }

            keys.Add(Read(entry.Trim(), position));
        }

        return keys;
    }

    public static SecurityKey Read(string entry, string position = "Auth:SigningKeys")
    {
        return entry.Contains("-----BEGIN", StringComparison.Ordinal)
            ? ReadPem(entry, position)
            : ReadSecret(entry, position);
    }

    private static SymmetricSecurityKey ReadSecret(string entry, string position)
    {
        var bytes = new byte[entry.Length];
        if (!Convert.TryFromBase64String(entry, bytes, out var length))
        {
            throw new InvalidOperationException(
                $"{position} is neither a PEM public key nor a base64 HS256 secret.");
        }

        if (length < MinimumSecretBytes)
        {
            throw new InvalidOperationException(
                $"{position}: an HS256 secret must be at least {MinimumSecretBytes} bytes (it has {length}).");
        }

        return new SymmetricSecurityKey(bytes[..length]) { KeyId = KeyIdOf(bytes.AsSpan(0, length)) };
    }

    private static SecurityKey ReadPem(string entry, string position)
    {
        if (!PemEncoding.TryFind(entry, out var fields))
        {
            throw new InvalidOperationException($"{position} looks like PEM but cannot be read.");
        }

        var label = entry[fields.Label];
        if (label.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            // Services only verify; a private key in their configuration is a leak waiting to happen.
            throw new InvalidOperationException($"{position} holds a private key; configure the public key only.");
        }

        var der = Convert.FromBase64String(entry[fields.Base64Data]);
        return label switch
        {
            "PUBLIC KEY" => ReadSubjectPublicKeyInfo(der, position),
            "RSA PUBLIC KEY" => RsaKey(rsa => rsa.ImportRSAPublicKey(der, out _)),
            "CERTIFICATE" => ReadCertificate(der, position),
            _ => throw new InvalidOperationException($"{position}: PEM label '{label}' is not a public key."),
        };
    }

    private static SecurityKey ReadSubjectPublicKeyInfo(byte[] der, string position)
    {
        // The label does not say which algorithm; the DER's algorithm identifier does, so let
        // each importer try and keep the one that accepts it.
        try
        {
            return RsaKey(rsa => rsa.ImportSubjectPublicKeyInfo(der, out _));
        }
        catch (CryptographicException)
        {
        }

        try
        {
            return EcKey(ec => ec.ImportSubjectPublicKeyInfo(der, out _));
        }
        catch (CryptographicException)
        {
            throw new InvalidOperationException($"{position} is a public key that is neither RSA nor EC.");
        }
    }

    private static SecurityKey ReadCertificate(byte[] der, string position)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(der);
        using var rsa = certificate.GetRSAPublicKey();
        if (rsa is not null)
        {
            var parameters = rsa.ExportParameters(false);
            return RsaKey(r => r.ImportParameters(parameters));
        }

        using var ec = certificate.GetECDsaPublicKey();
        if (ec is not null)
        {
            var parameters = ec.ExportParameters(false);
            return EcKey(e => e.ImportParameters(parameters));
        }

        throw new InvalidOperationException($"{position}: the certificate's key is neither RSA nor EC.");
    }

    private static RsaSecurityKey RsaKey(Action<RSA> import)
    {
        var rsa = RSA.Create();
        try
        {
            import(rsa);
        }
        catch
        {
            rsa.Dispose();
            throw;
        }

        return new RsaSecurityKey(rsa) { KeyId = KeyIdOf(rsa.ExportSubjectPublicKeyInfo()) };
    }

    private static ECDsaSecurityKey EcKey(Action<ECDsa> import)
    {
        var ec = ECDsa.Create();
        try
        {
            import(ec);
        }
        catch
        {
            ec.Dispose();
            throw;
        }

        return new ECDsaSecurityKey(ec) { KeyId = KeyIdOf(ec.ExportSubjectPublicKeyInfo()) };
    }

    // A stable, non-secret id for logs and for the optional `kid` header; derived by hashing
    // so that it never reveals secret material.
    private static string KeyIdOf(ReadOnlySpan<byte> material) =>
        Base64UrlEncoder.Encode(SHA256.HashData(material)[..12]);

    /// <summary>The JWS algorithms a key may verify: the only way to stop algorithm confusion.</summary>
    public static IReadOnlyList<string> AlgorithmsFor(SecurityKey key) => key switch
    {
        SymmetricSecurityKey => [SecurityAlgorithms.HmacSha256],
        RsaSecurityKey =>
        [
            SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
            SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        ],
        ECDsaSecurityKey ec => [EcAlgorithm(ec)],
        _ => [],
    };

    private static string EcAlgorithm(ECDsaSecurityKey key) => key.ECDsa.KeySize switch
    {
        256 => SecurityAlgorithms.EcdsaSha256,
        384 => SecurityAlgorithms.EcdsaSha384,
        521 => SecurityAlgorithms.EcdsaSha512,
        _ => throw new InvalidOperationException($"EC keys of {key.ECDsa.KeySize} bits have no JWS algorithm."),
    };
}
