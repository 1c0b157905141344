using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Net.Http.Headers;

namespace Platform.Security;

/// <summary>
/// Validates <c>Authorization: Bearer &lt;JWT&gt;</c> (signature, issuer, audience, lifetime)
/// and turns the token's claims into the request's user. A request without a bearer token is
/// left anonymous (<see cref="AuthenticateResult.NoResult"/>); a rejected token fails with a
/// short reason that is safe to show the caller. Challenges write only a status and a
/// <c>WWW-Authenticate</c> header, never a body, so the gRPC layer can turn them into
/// UNAUTHENTICATED.
/// </summary>
public sealed partial class BearerTokenHandler(
    IOptionsMonitor<BearerTokenOptions> options, ILoggerFactory loggerFactory, UrlEncoder encoder)
    : AuthenticationHandler<BearerTokenOptions>(options, loggerFactory, encoder)
{
    // JsonWebTokenHandler is thread-safe; MapInboundClaims=false keeps claim names as sent.
    private static readonly JsonWebTokenHandler Tokens = new() { MapInboundClaims = false };

    private const string BearerPrefix = "Bearer ";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var headers = Request.Headers.Authorization;
        if (headers.Count == 0)
        {
            return AuthenticateResult.NoResult();
        }

        if (headers.Count > 1)
        {
            return Reject("more than one authorization header");
        }

        var header = (headers[0] ?? "").Trim();
        if (header.Equals(BearerPrefix.TrimEnd(), StringComparison.OrdinalIgnoreCase))
        {
            return Reject("empty bearer token");
        }

        if (!header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            // Another scheme's credentials are not ours to judge.
            return AuthenticateResult.NoResult();
        }

        var token = header[BearerPrefix.Length..].Trim();
        if (token.Length == 0)
        {
            return Reject("empty bearer token");
        }

        var validatedTokens = ValidatedTokens.For(Options);
        if (validatedTokens.TryGet(token, DateTime.UtcNow, out var remembered))
        {
            return Success(remembered);
        }

        JsonWebToken jwt;
        try
        {
            jwt = new JsonWebToken(token);
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenException)
        {
            return Reject(ReasonFor(e));
        }

        var parameters = validatedTokens.Parameters;
        if (!parameters.ValidAlgorithms.Contains(jwt.Alg, StringComparer.Ordinal))
        {
            // Decided before any key is touched: `none`, and HS256 where only public keys are
            // configured (algorithm confusion), never reach signature validation.
            return Reject("signature algorithm not accepted");
        }

        var result = await Tokens.ValidateTokenAsync(jwt, parameters);

        if (!result.IsValid)
        {
            return Reject(ReasonFor(result.Exception));
        }

        var claims = result.ClaimsIdentity.Claims.ToList();
        if (!claims.Any(c => c.Type == CallerClaims.Subject && c.Value.Length > 0))
        {
            return Reject("token has no subject");
        }

        validatedTokens.Remember(token, jwt, claims);
        return Success(claims);
    }

    private AuthenticateResult Success(IReadOnlyList<Claim> claims)
    {
        var identity = new ClaimsIdentity(claims, Scheme.Name, CallerClaims.Name, CallerClaims.Roles);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    private AuthenticateResult Reject(string reason)
    {
        LogRejected(Logger, reason, Request.Path.Value ?? "");
        Context.Features.Set(new BearerTokenRejection(reason));
        return AuthenticateResult.Fail(reason);
    }

    // The reason goes back to the caller: name the rule, never echo token contents or keys.
    internal static string ReasonFor(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => "token expired",
        SecurityTokenNotYetValidException => "token not yet valid",
        SecurityTokenNoExpirationException => "token has no expiry",
        SecurityTokenInvalidLifetimeException => "token lifetime invalid",
        SecurityTokenInvalidIssuerException => "wrong issuer",
        SecurityTokenInvalidAudienceException => "wrong audience",
        SecurityTokenInvalidAlgorithmException => "signature algorithm not accepted",
        SecurityTokenInvalidSignatureException => "invalid signature",
        SecurityTokenMalformedException or ArgumentException => "malformed token",
        _ => "invalid token",
    };

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        var failure = result.Failure?.Message;
        Response.Headers.Append(HeaderNames.WWWAuthenticate, failure is null
            ? "Bearer"
            : $"Bearer error=\"invalid_token\", error_description=\"{failure}\"");
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Bearer token rejected on {Path}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string reason, string path);
}
