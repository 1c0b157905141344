using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Platform.Security;

/// <summary>
/// Tokens that passed every check, remembered until they expire, so a caller sending the same
/// token on every call (a partner's integration, the gateway forwarding) pays for the signature
/// check once. Kept per options instance: a configuration reload (new keys, issuer, audience)
/// starts with nothing remembered. Only the lifetime can change the verdict on a token later, and
/// it is checked again on every use with the same clock skew; a token past its lifetime is
/// forgotten and validated in full, which names the reason.
/// </summary>
internal sealed class ValidatedTokens
{
    /// <summary>Distinct tokens remembered at most; when full, everything is forgotten and refilled.</summary>
    internal const int Capacity = 10_000;

    private static readonly ConditionalWeakTable<BearerTokenOptions, ValidatedTokens> PerOptions = new();
    private readonly ConcurrentDictionary<string, Validated> _tokens = new(StringComparer.Ordinal);
    private readonly TimeSpan _clockSkew;

    private ValidatedTokens(BearerTokenOptions options)
    {
        Parameters = options.ToValidationParameters();
        _clockSkew = options.ClockSkew;
    }

    /// <summary>The validation parameters of these options, built once.</summary>
    public TokenValidationParameters Parameters { get; }

    public static ValidatedTokens For(BearerTokenOptions options) => PerOptions.GetValue(options, o => new ValidatedTokens(o));

    /// <summary>The claims of a token validated before and still within its lifetime at <paramref name="now"/>.</summary>
    public bool TryGet(string token, DateTime now, out IReadOnlyList<Claim> claims)
    {
        if (_tokens.TryGetValue(token, out var validated))
        {
            if (now <= validated.Expires + _clockSkew && (validated.NotBefore is not { } notBefore || now >= notBefore - _clockSkew))
            {
                claims = validated.Claims;
                return true;
            }
            _tokens.TryRemove(token, out _);
        }
        claims = [];
        return false;
    }

    public void Remember(string token, JsonWebToken jwt, IReadOnlyList<Claim> claims)
    {
        if (_tokens.Count >= Capacity)
        {
            _tokens.Clear();
        }
        _tokens[token] = new Validated(jwt.ValidTo, jwt.ValidFrom == DateTime.MinValue ? null : jwt.ValidFrom, claims);
    }

    private sealed record Validated(DateTime Expires, DateTime? NotBefore, IReadOnlyList<Claim> Claims);
}
