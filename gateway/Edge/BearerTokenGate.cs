using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Platform.Security;
using Wsis.Gateway.Json;
using Wsis.Gateway.Proxy;

namespace Wsis.Gateway.Edge;

/// <summary>Validates a bearer token at the door (signature, issuer, audience, lifetime) with the
/// same handler the services use, and turns a bad one away before it reaches a service. A request
/// without a token passes anonymously: reading published material needs none, and each service
/// decides what needs a role. A valid token is forwarded unchanged (the services validate it again,
/// because partners may call them directly).</summary>
public static class BearerTokenGate
{
    public static IApplicationBuilder UseBearerTokenGate(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (await PassAsync(context))
            {
                await next(context);
            }
        });

    /// <summary>True when the request may go on (no token, or a valid one: the user is set); false
    /// when a bad token was refused (the answer is written).</summary>
    public static async ValueTask<bool> PassAsync(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization;
        if (authorization.Count == 0)
        {
            return true;
        }
        var cache = context.RequestServices.GetRequiredService<ValidatedTokenCache>();
        if (authorization.Count == 1 && cache.TryGet(authorization[0]!) is { } cached)
        {
            context.User = cached;
            return true;
        }
        var result = await context.AuthenticateAsync();
        if (result.Failure is null)
        {
            if (result.Principal is not null)
            {
                context.User = result.Principal;
                if (authorization.Count == 1)
                {
                    cache.Add(authorization[0]!, result.Principal);
                }
            }
            return true;
        }
        var reason = $"invalid bearer token: {result.Failure.Message}";
        if (GrpcProtocol.IsGrpcRequest(context.Request))
        {
            await GrpcProtocol.WriteTrailersOnlyAsync(context.Response, GrpcProtocol.Unauthenticated, reason);
            return false;
        }
        context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
        await JsonTranscoding.Problem(StatusCodes.Status401Unauthorized, "UNAUTHENTICATED", reason, GrpcProtocol.Unauthenticated)
            .ExecuteAsync(context);
        return false;
    }
}

/// <summary>Tokens the bearer handler accepted, so that a client sending the same token on every
/// call is not validated (signature, claims) again each time. An entry is used only while every
/// rejection rule would still accept it: until the token's own <c>exp</c> (without the handler's
/// clock-skew allowance), at most <see cref="MaxAge"/>, and only with the very signing options it
/// was validated under (a reload of keys, issuer or audience empties it). Bounded: when full it
/// starts again empty. Only successes are kept; a bad token is judged by the handler every time.</summary>
public sealed class ValidatedTokenCache(IOptionsMonitor<BearerTokenOptions> options, TimeProvider time)
{
    public const int MaxEntries = 4096;
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    private sealed record Entry(ClaimsPrincipal Principal, long ValidUntilTicks, BearerTokenOptions Options);

    public int Count => _entries.Count;

    public ClaimsPrincipal? TryGet(string authorization)
    {
        if (!_entries.TryGetValue(authorization, out var entry))
        {
            return null;
        }
        if (time.GetUtcNow().UtcTicks >= entry.ValidUntilTicks || !ReferenceEquals(entry.Options, Current))
        {
            _entries.TryRemove(authorization, out _);
            return null;
        }
        return entry.Principal;
    }

    public void Add(string authorization, ClaimsPrincipal principal)
    {
        if (principal.FindFirst("exp")?.Value is not { } exp
            || !long.TryParse(exp, NumberStyles.Integer, CultureInfo.InvariantCulture, out var expSeconds)
            || expSeconds <= 0 || expSeconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return;
        }
        var now = time.GetUtcNow();
        var until = Math.Min(DateTimeOffset.FromUnixTimeSeconds(expSeconds).UtcTicks, (now + MaxAge).UtcTicks);
        if (until <= now.UtcTicks)
        {
            return;
        }
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }
        _entries[authorization] = new Entry(principal, until, Current);
    }

    private BearerTokenOptions Current => options.Get(BearerTokenDefaults.AuthenticationScheme);
}
