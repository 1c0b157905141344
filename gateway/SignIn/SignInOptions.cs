namespace Wsis.Gateway.SignIn;

/// <summary>
/// <c>Gateway:SignIn</c>: the organisation's OpenID Connect provider the gateway signs people in with
/// (authorization code flow with PKCE), and which of its claims say the person's roles, country and
/// organisation. Without an <see cref="Authority"/> there is no sign-in: the workspace says so.
/// </summary>
public sealed class SignInOptions
{
    public const string Section = "Gateway:SignIn";

    /// <summary>The provider's issuer URL; its <c>/.well-known/openid-configuration</c> is read at the first sign-in.</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    /// <summary>The gateway is a confidential client: the secret goes to the token endpoint only.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Scopes asked for besides <c>openid</c> (default <c>profile</c>).</summary>
    public string[] Scopes { get; set; } = [];

    /// <summary>Refuse an authority over plain HTTP (true unless a development set-up says otherwise).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Also ask the provider's userinfo endpoint for claims (when its ID tokens are lean).</summary>
    public bool GetClaimsFromUserInfoEndpoint { get; set; }

    /// <summary>The longest a session lasts; it ends earlier when the access token it carries expires.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Which of the provider's claims carry what the workspace needs.</summary>
    public SignInClaimNames Claims { get; set; } = new();

    /// <summary>The provider's role names mapped to this system's (<c>"WSIS-Secretariat": "secretariat"</c>);
    /// a role with no entry is kept as it is.</summary>
    public Dictionary<string, string> RoleNames { get; set; } = new(StringComparer.Ordinal);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Authority);

    public IEnumerable<string> AllScopes() =>
        new[] { "openid" }.Concat(Scopes.Length == 0 ? ["profile"] : Scopes).Distinct(StringComparer.Ordinal);
}

/// <summary>The provider's claim types; the defaults are this system's own (DESIGN.md, Security).</summary>
public sealed class SignInClaimNames
{
    public string Subject { get; set; } = "sub";
    public string Name { get; set; } = "name";
    public string Roles { get; set; } = "roles";
    public string Country { get; set; } = "country";
    public string Org { get; set; } = "org";
}
