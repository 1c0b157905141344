using Microsoft.AspNetCore.Authorization;
using Platform.Domain;

namespace Platform.Security;

/// <summary>
/// Who may call a method, declared on it with <c>[Authorize(Policy = Policies.X)]</c> (or
/// <c>[AllowAnonymous]</c> for what the public reads). A policy checks the token's roles only and
/// runs before the request is read; rules that depend on stored state (the team's designated
/// coordinator, the chair of the coordinators' meeting, the Member State of the report's country)
/// stay in the domain model. A refusal names the rule: <see cref="RuleRequirement.Rule"/>.
/// </summary>
public static class Policies
{
    /// <summary>Any caller with a valid token.</summary>
    public const string Authenticated = "authenticated";

    public const string Secretariat = "secretariat";

    /// <summary>CWG-Internet is limited to Member States; the secretariat acts for the group.</summary>
    public const string MemberStateOrSecretariat = "member-state-or-secretariat";

    /// <summary>A Member State (with its <c>country</c> claim).</summary>
    public const string MemberState = "member-state";

    /// <summary>A stakeholder or coordinator acting for its organisation (<c>org</c>), or the secretariat for anyone.</summary>
    public const string StakeholderOrSecretariat = "stakeholder-or-secretariat";

    /// <summary>A coordinator (<c>org</c>) or the secretariat; which team or meeting it coordinates is the domain's rule.</summary>
    public const string CoordinatorOrSecretariat = "coordinator-or-secretariat";

    /// <summary>A coordinator acting for its organisation (<c>org</c>).</summary>
    public const string Coordinator = "coordinator";

    /// <summary>Every policy by name, with the rule a refusal states.</summary>
    public static IReadOnlyDictionary<string, RuleRequirement> All { get; } = new Dictionary<string, RuleRequirement>(StringComparer.Ordinal)
    {
        [Authenticated] = new("any caller with a valid bearer token", _ => true),
        [Secretariat] = new("the secretariat (role secretariat)", c => c.IsSecretariat),
        [MemberStateOrSecretariat] = new("a Member State (role member-state with a country claim) or the secretariat",
            c => c.IsMemberState || c.IsSecretariat),
        [MemberState] = new("a Member State (role member-state with a country claim)", c => c.IsMemberState),
        [StakeholderOrSecretariat] = new("a stakeholder or coordinator for its own organisation (role stakeholder or coordinator with an org claim) or the secretariat",
            c => c.IsSecretariat || (c.HasRole(Role.Stakeholder) || c.HasRole(Role.Coordinator)) && c.Org is not null),
        [CoordinatorOrSecretariat] = new("a coordinator (role coordinator with an org claim) or the secretariat",
            c => c.IsSecretariat || c.HasRole(Role.Coordinator) && c.Org is not null),
        [Coordinator] = new("a coordinator (role coordinator with an org claim)", c => c.HasRole(Role.Coordinator) && c.Org is not null),
    };

    /// <summary>Registers every policy of <see cref="All"/>.</summary>
    public static void AddTo(AuthorizationOptions options)
    {
        foreach (var (name, requirement) in All)
        {
            options.AddPolicy(name, policy => policy.RequireAuthenticatedUser().AddRequirements(requirement));
        }
    }
}

/// <summary>A role rule: who may (<see cref="Rule"/>, said to a refused caller) and the check on the token's claims.</summary>
public sealed class RuleRequirement(string rule, Func<Caller, bool> allows) : IAuthorizationRequirement
{
    public string Rule { get; } = rule;

    public bool Allows(Caller caller) => caller.IsAuthenticated && allows(caller);
}

/// <summary>Checks <see cref="RuleRequirement"/>s against the caller the token describes.</summary>
public sealed class RuleRequirementHandler : AuthorizationHandler<RuleRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, RuleRequirement requirement)
    {
        if (requirement.Allows(Caller.From(context.User)))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
