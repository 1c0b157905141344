using System.Globalization;
using System.Text;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;

namespace Platform.Security;

/// <summary>
/// What a caller refused by a method's policy reads. A gRPC caller gets a status at once, before
/// its request is read: <c>UNAUTHENTICATED</c> with the reason its token was rejected (or that one
/// is needed), <c>PERMISSION_DENIED</c> naming the rule of <see cref="Policies"/>. Any other caller
/// gets the scheme's challenge (401 with <c>WWW-Authenticate</c>) or 403, with a problem-details body
/// saying the same. The texts are short and safe: never a token, a key or IdentityModel's own words.
/// </summary>
public sealed class RuleRefusals : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded)
        {
            await next(context);
            return;
        }

        // The gRPC method's name whichever door the call came through (a JSON route names it too).
        var method = context.GetEndpoint()?.Metadata.GetMetadata<Grpc.AspNetCore.Server.GrpcMethodMetadata>()?.Method.FullName.TrimStart('/')
            ?? context.Request.Path.Value?.TrimStart('/') ?? "";
        var caller = Caller.From(context);
        var (code, message) = authorizeResult.Challenged || !caller.IsAuthenticated
            ? (StatusCode.Unauthenticated, caller.AuthenticationFailure is { } reason
                ? $"bearer token rejected: {reason}"
                : $"a bearer token is required: {method} may be called by {RuleOf(policy, authorizeResult)}")
            : (StatusCode.PermissionDenied, $"{method} may be called only by {RuleOf(policy, authorizeResult)}");

        if (IsGrpc(context.Request))
        {
            WriteGrpcStatus(context.Response, code, message);
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
        // A scheme whose challenge sends the person to sign in (the gateway's cookie session) answered
        // with a redirect: that is the answer, not a problem body.
        if (!context.Response.HasStarted && context.Response.StatusCode is not (>= 300 and < 400))
        {
            await Platform.ServiceDefaults.GrpcStatusProblem.Result(
                context.Response.StatusCode is >= 400 ? context.Response.StatusCode : code == StatusCode.Unauthenticated ? 401 : 403, code, message)
                .ExecuteAsync(context);
        }
    }

    private static string RuleOf(AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        var failed = result.AuthorizationFailure?.FailedRequirements.OfType<RuleRequirement>().FirstOrDefault()
            ?? policy.Requirements.OfType<RuleRequirement>().FirstOrDefault();
        return failed?.Rule ?? "an authenticated caller";
    }

    public static bool IsGrpc(HttpRequest request) =>
        request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    /// <summary>A Trailers-Only gRPC response: the status in the headers, no message.</summary>
    public static void WriteGrpcStatus(HttpResponse response, StatusCode code, string message)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)code).ToString(CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = PercentEncode(message);
    }

    /// <summary>gRPC's encoding of <c>grpc-message</c>: UTF-8, with '%' and bytes outside printable ASCII as %XX.</summary>
    public static string PercentEncode(string message)
    {
        var builder = new StringBuilder(message.Length);
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            if (b is >= 0x20 and <= 0x7E and not (byte)'%')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
