using Microsoft.AspNetCore.Authorization;

namespace Wsis.Gateway.Edge;

/// <summary>
/// The gateway's door policy, named on every route (<c>"AuthorizationPolicy": "valid-token-or-none"</c>):
/// a request without a token passes (reading published material needs none, and each service decides
/// which methods need a role), a request with a valid token passes with it unchanged (the services check
/// it again: partners may call them directly), a request with a bad token is turned away at the door
/// by <see cref="Platform.Security.RuleRefusals"/> (UNAUTHENTICATED / 401 with the reason), before any
/// service sees it.
/// </summary>
public static class TokenAtTheDoor
{
    public const string PolicyName = "valid-token-or-none";

    public static IServiceCollection AddTokenAtTheDoor(this IServiceCollection services)
    {
        services.AddAuthorization(o => o.AddPolicy(PolicyName, policy => policy.AddRequirements(new ValidTokenOrNone())));
        services.AddSingleton<IAuthorizationHandler, ValidTokenOrNoneHandler>();
        return services;
    }

    private sealed class ValidTokenOrNone : IAuthorizationRequirement;

    private sealed class ValidTokenOrNoneHandler : AuthorizationHandler<ValidTokenOrNone>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ValidTokenOrNone requirement)
        {
            if (context.User.Identity?.IsAuthenticated == true
                || context.Resource is HttpContext { Request.Headers.Authorization.Count: 0 })
            {
                context.Succeed(requirement);
            }

            return Task.CompletedTask;
        }
    }
}
