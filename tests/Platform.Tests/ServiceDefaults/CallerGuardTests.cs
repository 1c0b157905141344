using System.Security.Claims;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Platform.Data;
using Platform.Domain;
using Platform.Security;
using Xunit;

namespace Platform.Tests.ServiceDefaults;

/// <summary>The rules services state with Caller and CallerGuard, and the gRPC statuses they produce.</summary>
public sealed class CallerGuardTests
{
    private static Caller CallerWith(params (string Type, string Value)[] claims)
    {
        var identity = new ClaimsIdentity(
            claims.Select(c => new Claim(c.Type, c.Value)), "Bearer", CallerClaims.Name, CallerClaims.Roles);
        return Caller.From(new ClaimsPrincipal(identity));
    }

    [Fact]
    public void A_member_state_speaks_only_for_its_own_country()
    {
        var caller = CallerWith(("sub", "ms-ch"), ("roles", "member-state"), ("country", "CH"));

        Assert.True(caller.IsMemberStateOf("ch"));
        Assert.False(caller.IsMemberStateOf("FR"));
        Assert.False(caller.IsSecretariat);
    }

    [Fact]
    public void A_country_claim_without_the_member_state_role_grants_nothing()
    {
        var caller = CallerWith(("sub", "someone"), ("roles", "stakeholder"), ("org", "stk-1"), ("country", "CH"));

        Assert.False(caller.IsMemberStateOf("CH"));
        Assert.True(caller.ActsFor("stk-1"));
        Assert.False(caller.ActsFor("stk-2"));
    }

    [Fact]
    public void An_anonymous_caller_needing_a_token_gets_UNAUTHENTICATED()
    {
        var error = Assert.Throws<RpcException>(() => Caller.Anonymous.RequireSecretariat());

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal("a bearer token is required", error.Status.Detail);
    }

    [Fact]
    public void A_rejected_token_is_reported_with_its_reason_not_as_a_missing_one()
    {
        var http = new DefaultHttpContext();
        http.Features.Set(new BearerTokenRejection("token expired"));

        var error = Assert.Throws<RpcException>(() => Caller.From(http).RequireAuthenticated());

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal("bearer token rejected: token expired", error.Status.Detail);
    }

    [Fact]
    public void A_caller_without_the_role_gets_PERMISSION_DENIED_naming_it()
    {
        var caller = CallerWith(("sub", "stk"), ("roles", "stakeholder"), ("org", "stk-1"));

        var error = Assert.Throws<RpcException>(() => caller.RequireRole(Role.MemberState, Role.Secretariat));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal("requires the role member-state or secretariat", error.Status.Detail);
    }

    [Fact]
    public void A_rule_that_does_not_hold_is_PERMISSION_DENIED_with_the_rule_as_message()
    {
        var caller = CallerWith(("sub", "stk"), ("roles", "stakeholder"), ("org", "stk-1"));

        Assert.Same(caller, caller.Require(caller.ActsFor("stk-1"), "only the stakeholder itself may join"));
        var error = Assert.Throws<RpcException>(() =>
            caller.Require(caller.IsSecretariat || caller.ActsFor("stk-2"), "only the stakeholder itself or the secretariat may join"));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal("only the stakeholder itself or the secretariat may join", error.Status.Detail);
    }

    [Fact]
    public void The_secretariat_passes_a_secretariat_check()
    {
        var caller = CallerWith(("sub", "sec-1"), ("roles", "secretariat"));

        Assert.Same(caller, caller.RequireSecretariat());
        Assert.True(caller.HasRole(Role.Secretariat));
    }

    [Fact]
    public void A_service_method_reads_its_caller_and_idempotency_key_from_the_call()
    {
        var http = new DefaultHttpContext
        {
            User = new ClaimsPrincipal(new ClaimsIdentity(
                [new Claim("sub", "sec-1"), new Claim("roles", "secretariat")], "Bearer", "name", "roles")),
        };
        var context = new TestServerCallContext("/teams.v1.Teams/CreateTeam", http);

        var caller = context.GetCaller().RequireSecretariat();
        var key = IdempotencyKey.ForCall("req-7", context, caller);

        // The operation is the method's full name without the leading slash, as every service names it.
        Assert.Equal(new IdempotencyKey("req-7", "teams.v1.Teams/CreateTeam", "sec-1"), key);
        Assert.Null(IdempotencyKey.ForCall("", context, caller));
        var error = Assert.Throws<Platform.Domain.DomainException>(() => IdempotencyKey.ForCall(new string('x', 129), context, caller));
        Assert.Equal(Platform.Domain.DomainErrorKind.InvalidArgument, error.Kind);
        Assert.Equal("request_id must be at most 128 characters", error.Message);
    }
}
