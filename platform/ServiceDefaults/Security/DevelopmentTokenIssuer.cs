using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Platform.Domain;

namespace Platform.Security;

/// <summary>What a development token says about its holder.</summary>
public sealed record DevelopmentTokenRequest(
    string? Sub, string? Name, IReadOnlyList<string>? Roles, string? Country = null, string? Org = null);

/// <summary>
/// Mints HS256 tokens with the configured issuer, audience and first HS256 key, for the
/// embedded mode and local work. Services register it only when <c>Auth:DevelopmentTokens</c>
/// is true and the environment is Development; production never mints.
/// </summary>
public sealed partial class DevelopmentTokenIssuer
{
    private static readonly JsonWebTokenHandler Tokens = new();
    private readonly SigningCredentials _credentials;
    private readonly TimeProvider _time;

    public DevelopmentTokenIssuer(string issuer, string audience, SymmetricSecurityKey key, TimeProvider? time = null)
    {
        Issuer = issuer;
        Audience = audience;
        _credentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256);
        _time = time ?? TimeProvider.System;
    }

    public string Issuer { get; }

    public string Audience { get; }

    public static TimeSpan DefaultLifetime { get; } = TimeSpan.FromHours(12);

    /// <summary>Uses Auth:Issuer, Auth:Audience and the first base64 secret of Auth:SigningKeys.</summary>
    public static DevelopmentTokenIssuer FromConfiguration(IConfiguration configuration, TimeProvider? time = null)
    {
        var options = new BearerTokenOptions();
        options.ReadFrom(configuration);
        var key = options.SigningKeys.OfType<SymmetricSecurityKey>().FirstOrDefault()
            ?? throw new InvalidOperationException(
                "Development tokens need a base64 HS256 secret in Auth:SigningKeys.");
        return new DevelopmentTokenIssuer(options.Issuer, options.Audience, key, time);
    }

    /// <summary>Returns a signed token; throws <see cref="ArgumentException"/> naming the field that is wrong.</summary>
    public string Mint(DevelopmentTokenRequest request, TimeSpan? lifetime = null)
    {
        if (string.IsNullOrWhiteSpace(request.Sub))
        {
            throw new ArgumentException("sub is required.");
        }

        var roles = (request.Roles ?? []).Select(r => r.Trim()).Distinct(StringComparer.Ordinal).ToArray();
        foreach (var role in roles)
        {
            if (!Role.IsKnown(role))
            {
                throw new ArgumentException(
                    $"roles: '{role}' is not a role; use {string.Join(", ", Role.All)}.");
            }
        }

        var country = string.IsNullOrWhiteSpace(request.Country) ? null : request.Country.Trim().ToUpperInvariant();
        if (country is not null && !CountryCode().IsMatch(country))
        {
            throw new ArgumentException("country must be an ISO 3166-1 alpha-2 code.");
        }

        if (roles.Contains(Role.MemberState) && country is null)
        {
            throw new ArgumentException("country is required for the member-state role.");
        }

        var org = string.IsNullOrWhiteSpace(request.Org) ? null : request.Org.Trim();
        if ((roles.Contains(Role.Coordinator) || roles.Contains(Role.Stakeholder)) && org is null)
        {
            throw new ArgumentException("org is required for the coordinator and stakeholder roles.");
        }

        var claims = new Dictionary<string, object>
        {
            [CallerClaims.Subject] = request.Sub.Trim(),
            [CallerClaims.Roles] = roles,
        };
        if (!string.IsNullOrWhiteSpace(request.Name))
        {
            claims[CallerClaims.Name] = request.Name.Trim();
        }

        if (country is not null)
        {
            claims[CallerClaims.Country] = country;
        }

        if (org is not null)
        {
            claims[CallerClaims.Org] = org;
        }

        var now = _time.GetUtcNow().UtcDateTime;
        return Tokens.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + (lifetime ?? DefaultLifetime),
            Claims = claims,
            SigningCredentials = _credentials,
        });
    }

    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex CountryCode();
}
