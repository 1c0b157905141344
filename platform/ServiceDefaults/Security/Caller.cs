using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Platform.Domain;

namespace Platform.Security;

/// <summary>
/// Who is calling, as the bearer token says: the view services use for their authorization
/// rules. Built from the <see cref="ClaimsPrincipal"/> the authentication handler produced.
/// </summary>
public sealed class Caller
{
    private readonly HashSet<string> _roles;

    private Caller(string? subject, string? name, IEnumerable<string> roles, string? country, string? org,
        string? authenticationFailure)
    {
        Subject = subject;
        Name = name;
        _roles = new HashSet<string>(roles, StringComparer.Ordinal);
        Country = country;
        Org = org;
        AuthenticationFailure = authenticationFailure;
    }

    /// <summary>A caller that presented no token.</summary>
    public static Caller Anonymous { get; } = new(null, null, [], null, null, null);

    /// <summary>The token's <c>sub</c>; null for an anonymous caller.</summary>
    public string? Subject { get; }

    public string? Name { get; }

    /// <summary>ISO 3166-1 alpha-2 code (upper case) from the <c>country</c> claim, if any.</summary>
    public string? Country { get; }

    /// <summary>The stakeholder id from the <c>org</c> claim, if any.</summary>
    public string? Org { get; }

    public IReadOnlyCollection<string> Roles => _roles;

    /// <summary>
    /// Set when a token was presented and rejected (expired, wrong audience…): a short reason
    /// safe to return to the caller. Such a caller is treated as anonymous, but an operation
    /// that needs a token should answer UNAUTHENTICATED with this reason rather than pretend
    /// no token came.
    /// </summary>
    public string? AuthenticationFailure { get; }

    public bool IsAuthenticated => Subject is not null;

    public bool HasRole(string role) => IsAuthenticated && _roles.Contains(role);

    public bool IsSecretariat => HasRole(Role.Secretariat);

    /// <summary>A Member State caller speaking for the given country (ISO alpha-2, any case).</summary>
    public bool IsMemberStateOf(string country) =>
        HasRole(Role.MemberState) && Country is not null &&
        string.Equals(Country, country, StringComparison.OrdinalIgnoreCase);

    /// <summary>A Member State caller with a country claim.</summary>
    public bool IsMemberState => HasRole(Role.MemberState) && Country is not null;

    /// <summary>A coordinator or stakeholder caller acting for the given stakeholder id.</summary>
    public bool ActsFor(string org) =>
        (HasRole(Role.Coordinator) || HasRole(Role.Stakeholder)) && Org is not null &&
        string.Equals(Org, org, StringComparison.Ordinal);

    public static Caller From(ClaimsPrincipal? principal, string? authenticationFailure = null)
    {
        var identity = principal?.Identities.FirstOrDefault(i => i.IsAuthenticated);
        if (identity is null)
        {
            return authenticationFailure is null ? Anonymous : new Caller(null, null, [], null, null, authenticationFailure);
        }

        var subject = identity.FindFirst(CallerClaims.Subject)?.Value;
        if (string.IsNullOrEmpty(subject))
        {
            // A principal without a subject cannot be held to anything; treat it as anonymous.
            return Anonymous;
        }

        var roles = identity.FindAll(identity.RoleClaimType).Select(c => c.Value)
            .Concat(identity.FindAll(CallerClaims.Roles).Select(c => c.Value));
        var country = identity.FindFirst(CallerClaims.Country)?.Value;
        return new Caller(
            subject,
            identity.FindFirst(CallerClaims.Name)?.Value,
            roles,
            string.IsNullOrWhiteSpace(country) ? null : country.Trim().ToUpperInvariant(),
            NullIfBlank(identity.FindFirst(CallerClaims.Org)?.Value),
            null);
    }

    /// <summary>
    /// The caller of the current request, including why a presented token was rejected
    /// (the authentication middleware records its result on the request).
    /// </summary>
    public static Caller From(HttpContext httpContext)
    {
        var failure = httpContext.Features.Get<BearerTokenRejection>()?.Reason
            ?? httpContext.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult?.Failure?.Message;
        return From(httpContext.User, failure);
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    public override string ToString() => IsAuthenticated ? $"caller {Subject}" : "anonymous caller";
}
