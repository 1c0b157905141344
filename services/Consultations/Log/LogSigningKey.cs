using System.Security.Cryptography;
using Platform.ServiceDefaults;
using Wsis.Contracts.Verification;

namespace Wsis.Consultations.Log;

/// <summary>
/// The key that signs every consultation log's checkpoints (ECDSA P-256, .NET's own cryptography).
/// From <c>Consultations:Log:SigningKey</c> (a PEM private key, or on one line the base64 of its PKCS#8 DER). Without it, in Development or when
/// <c>Consultations:Log:GenerateKey</c> is true (the embedded host), a key is generated once and kept
/// in <c>data/consultations-log-key.pem</c>; anywhere else the service refuses to start, since
/// checkpoints signed by a throw-away key could never be checked later.
/// </summary>
public sealed class LogSigningKey : IDisposable
{
    public const string SigningKeySetting = "Consultations:Log:SigningKey";
    public const string GenerateKeySetting = "Consultations:Log:GenerateKey";
    public const string KeyFile = "consultations-log-key.pem";

    private LogSigningKey(ECDsa key)
    {
        var parameters = key.ExportParameters(false);
        if (parameters.Curve.Oid?.Value != ECCurve.NamedCurves.nistP256.Oid.Value && parameters.Curve.Oid?.FriendlyName is not ("nistP256" or "ECDSA_P256"))
        {
            throw new InvalidOperationException($"{SigningKeySetting} must be an ECDSA P-256 key");
        }

        Key = key;
        KeyId = Checkpoint.KeyId(key);
        PublicKeyPem = key.ExportSubjectPublicKeyInfoPem();
    }

    public ECDsa Key { get; }

    /// <summary>First 8 bytes (hex) of the SHA-256 of the public key's SubjectPublicKeyInfo.</summary>
    public string KeyId { get; }

    public string PublicKeyPem { get; }

    public static LogSigningKey From(IConfiguration configuration, IHostEnvironment environment) =>
        From(configuration, environment, Path.GetFullPath("data"));

    /// <param name="dataFolder">Where a generated key is kept (the working directory's data/ in service).</param>
    internal static LogSigningKey From(IConfiguration configuration, IHostEnvironment environment, string dataFolder)
    {
        var pem = configuration[SigningKeySetting];
        if (!string.IsNullOrWhiteSpace(pem))
        {
            return FromPem(pem, SigningKeySetting);
        }

        if (!environment.IsDevelopment() && !configuration.GetValue<bool>(GenerateKeySetting))
        {
            throw new InvalidOperationException(
                $"{SigningKeySetting} is not set: outside Development the consultation logs' checkpoints are signed with a configured ECDSA P-256 private key (PEM)");
        }

        var path = Path.Combine(dataFolder, KeyFile);
        return FromPem(OwnerOnlyFile.ReadOrCreate(path, () =>
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            return key.ExportPkcs8PrivateKeyPem();
        }), path);
    }

    private static LogSigningKey FromPem(string pem, string source)
    {
        var key = ECDsa.Create();
        try
        {
            if (pem.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                key.ImportFromPem(pem);
            }
            else
            {
                // One line, for .env files: base64 of the PKCS#8 DER.
                key.ImportPkcs8PrivateKey(Convert.FromBase64String(pem.Trim()), out _);
            }

            key.ExportParameters(includePrivateParameters: true); // a public key alone cannot sign
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException or FormatException)
        {
            key.Dispose();
            throw new InvalidOperationException($"{source} holds no ECDSA private key (PEM, or base64 of PKCS#8 DER)");
        }

        return new LogSigningKey(key);
    }

    public void Dispose() => Key.Dispose();
}
