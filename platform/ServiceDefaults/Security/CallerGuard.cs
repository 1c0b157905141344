using Grpc.Core;
using Platform.Domain;

namespace Platform.Security;

/// <summary>
/// Authorization checks for gRPC methods: each returns the caller when allowed and otherwise
/// throws <see cref="RpcException"/> with UNAUTHENTICATED (no or a rejected token) or
/// PERMISSION_DENIED (authenticated, but the rule does not allow it), with a message naming
/// the rule. Methods that let anonymous callers in simply do not call them.
/// </summary>
public static class CallerGuard
{
    /// <summary>The caller of this gRPC call, from the request's authenticated user.</summary>
    public static Caller GetCaller(this ServerCallContext context) => Caller.From(context.GetHttpContext());

    public static Caller RequireAuthenticated(this Caller caller)
    {
        if (!caller.IsAuthenticated)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated,
                caller.AuthenticationFailure is { } reason
                    ? $"bearer token rejected: {reason}"
                    : "a bearer token is required"));
        }

        return caller;
    }

    /// <summary>Allows a caller that holds at least one of <paramref name="anyOf"/>.</summary>
    public static Caller RequireRole(this Caller caller, params string[] anyOf)
    {
        caller.RequireAuthenticated();
        if (!anyOf.Any(caller.HasRole))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"requires the role {string.Join(" or ", anyOf)}"));
        }

        return caller;
    }

    public static Caller RequireSecretariat(this Caller caller) => caller.RequireRole(Role.Secretariat);

    /// <summary>
    /// Allows when <paramref name="allowed"/> holds; <paramref name="rule"/> says who may, e.g.
    /// "only the team's designated coordinator may set its modalities".
    /// </summary>
    public static Caller Require(this Caller caller, bool allowed, string rule)
    {
        caller.RequireAuthenticated();
        if (!allowed)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, rule));
        }

        return caller;
    }
}
