using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Platform.Tests.ServiceDefaults;

/// <summary>Keys and tokens the way a real issuer would make them.</summary>
public static class TestTokens
{
    public const string Issuer = "https://issuer.test";
    public const string Audience = "wsis-services";

    private static readonly JsonWebTokenHandler Handler = new();
    private static readonly Lazy<string> RsaPublicPem = new(() =>
    {
        using var rsa = RSA.Create(2048);
        return rsa.ExportSubjectPublicKeyInfoPem();
    });

    /// <summary>An RSA public key for tests that only configure one (key generation is slow on a busy machine).</summary>
    public static string SomeRsaPublicKeyPem() => RsaPublicPem.Value;

    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static Dictionary<string, string?> Configuration(params string[] signingKeys)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["Auth:Issuer"] = Issuer,
            ["Auth:Audience"] = Audience,
        };
        for (var i = 0; i < signingKeys.Length; i++)
        {
            configuration[$"Auth:SigningKeys:{i}"] = signingKeys[i];
        }

        return configuration;
    }

    public static SigningCredentials Hs256(string base64Secret) =>
        new(new SymmetricSecurityKey(Convert.FromBase64String(base64Secret)), SecurityAlgorithms.HmacSha256);

    public static Dictionary<string, object> Claims(string sub = "alice", object? roles = null, string? country = null, string? org = null)
    {
        var claims = new Dictionary<string, object> { ["sub"] = sub, ["name"] = "Alice Example" };
        if (roles is not null)
        {
            claims["roles"] = roles;
        }

        if (country is not null)
        {
            claims["country"] = country;
        }

        if (org is not null)
        {
            claims["org"] = org;
        }

        return claims;
    }

    public static string Create(
        SigningCredentials credentials,
        IDictionary<string, object>? claims = null,
        string issuer = Issuer,
        string audience = Audience,
        DateTime? notBefore = null,
        DateTime? expires = null)
    {
        var now = DateTime.UtcNow;
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = notBefore ?? now,
            NotBefore = notBefore ?? now,
            Expires = expires ?? now.AddMinutes(10),
            Claims = claims ?? Claims(),
            SigningCredentials = credentials,
        });
    }

    /// <summary>A token assembled by hand, for headers a well-behaved library refuses to write.</summary>
    public static string Raw(object header, object payload, Func<byte[], byte[]>? sign = null)
    {
        var encodedHeader = Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(header));
        var encodedPayload = Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(payload));
        var signingInput = $"{encodedHeader}.{encodedPayload}";
        var signature = sign is null ? "" : Base64UrlEncoder.Encode(sign(Encoding.ASCII.GetBytes(signingInput)));
        return $"{signingInput}.{signature}";
    }

    public static object StandardPayload(object? roles = null) => new Dictionary<string, object>
    {
        ["sub"] = "mallory",
        ["iss"] = Issuer,
        ["aud"] = Audience,
        ["nbf"] = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(),
        ["exp"] = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds(),
        ["roles"] = roles ?? new[] { "secretariat" },
    };
}
