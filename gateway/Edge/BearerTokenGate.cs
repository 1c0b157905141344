using Microsoft.AspNetCore.Authentication;
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
        var result = await context.AuthenticateAsync();
        if (result.Failure is null)
        {
            if (result.Principal is not null)
            {
                context.User = result.Principal;
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
