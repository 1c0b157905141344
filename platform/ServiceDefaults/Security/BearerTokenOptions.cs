using Microsoft.Extensions.Configuration;
using Microsoft.IdentityModel.Tokens;

namespace Platform.Security;

/// <summary>What a bearer token must satisfy, read from the <c>Auth</c> configuration section and
/// handed to the stock JWT bearer handler as its validation parameters.</summary>
public sealed class BearerTokenOptions
{
    /// <summary>The only accepted <c>iss</c> (<c>Auth:Issuer</c>).</summary>
    public string Issuer { get; set; } = "";

    /// <summary>Other accepted <c>iss</c> values (<c>Auth:AdditionalIssuers</c>, a list): e.g. the embedded
    /// host's development identity provider, whose issuer is its URL, beside the issuer of development tokens.</summary>
    public IReadOnlyList<string> AdditionalIssuers { get; set; } = [];

    /// <summary>The only accepted <c>aud</c> (<c>Auth:Audience</c>).</summary>
    public string Audience { get; set; } = "";

    /// <summary>Keys read from <c>Auth:SigningKeys</c>; a token must verify with one of them.</summary>
    public IReadOnlyList<SecurityKey> SigningKeys { get; set; } = [];

    /// <summary>Tolerance for clocks that disagree, applied to <c>exp</c> and <c>nbf</c>.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Reads Auth:Issuer, Auth:Audience and Auth:SigningKeys; throws naming the key that is wrong.</summary>
    public void ReadFrom(IConfiguration configuration)
    {
        var section = configuration.GetSection("Auth");
        Issuer = Required(section, "Issuer");
        Audience = Required(section, "Audience");
        AdditionalIssuers = section.GetSection("AdditionalIssuers").GetChildren()
            .Select(c => c.Value?.Trim()).OfType<string>().Where(v => v.Length > 0).ToList();

        var keys = section.GetSection("SigningKeys");
        var entries = keys.GetChildren().Select(c => c.Value).ToList();
        if (entries.Count == 0 && !string.IsNullOrWhiteSpace(keys.Value))
        {
            // One key given as a plain value (e.g. an environment variable Auth__SigningKeys).
            entries.Add(keys.Value);
        }

        if (entries.Count == 0)
        {
            throw new InvalidOperationException("Auth:SigningKeys is not configured: give at least one base64 HS256 secret or PEM public key.");
        }

        SigningKeys = SigningKeyReader.Read(entries);
    }

    private static string Required(IConfigurationSection section, string name)
    {
        var value = section[name];
        return string.IsNullOrWhiteSpace(value)
            ? throw new InvalidOperationException($"Auth:{name} is not configured.")
            : value.Trim();
    }

    public void Validate()
    {
        if (string.IsNullOrEmpty(Issuer) || string.IsNullOrEmpty(Audience) || SigningKeys.Count == 0)
        {
            throw new InvalidOperationException("Bearer authentication needs Auth:Issuer, Auth:Audience and Auth:SigningKeys.");
        }
    }

    public TokenValidationParameters ToValidationParameters()
    {
        var keys = SigningKeys;
        return new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidIssuers = AdditionalIssuers.Count == 0 ? null : AdditionalIssuers,
            ValidAudience = Audience,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            RequireAudience = true,
            ClockSkew = ClockSkew,
            ValidAlgorithms = keys.SelectMany(SigningKeyReader.AlgorithmsFor).Distinct().ToList(),
            // Offer a token only the keys whose kind matches its `alg`, and never fall back to
            // trying every key: an HS256 token must not be checked against an RSA key's bytes.
            IssuerSigningKeyResolver = (_, token, _, _) =>
            {
                var algorithm = (token as Microsoft.IdentityModel.JsonWebTokens.JsonWebToken)?.Alg;
                return algorithm is null
                    ? []
                    : keys.Where(k => SigningKeyReader.AlgorithmsFor(k).Contains(algorithm, StringComparer.Ordinal));
            },
            TryAllIssuerSigningKeys = false,
            NameClaimType = CallerClaims.Name,
            RoleClaimType = CallerClaims.Roles,
            AuthenticationType = BearerTokenDefaults.AuthenticationScheme,
        };
    }
}

public static class BearerTokenDefaults
{
    public const string AuthenticationScheme = "Bearer";
}
