using Platform.ServiceDefaults;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using Platform.Security;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Wsis.Host.DevelopmentIdentity;

/// <summary>
/// An OpenID Connect provider for local work and tests, built on OpenIddict: anyone picks one of
/// <see cref="DevelopmentUsers"/> on a page and is signed in as that person (no password), with the
/// authorization code flow and PKCE the gateway uses against a real provider. Its access tokens carry
/// <c>sub</c>, <c>name</c>, <c>roles</c>, <c>country</c>, <c>org</c> and the audience <c>Auth:Audience</c>,
/// signed (RS256) with a key generated once per install under ./data, whose public key the host adds to
/// <c>Auth:SigningKeys</c>: the services accept these tokens as they accept any other.
/// It exists only in the Development environment: <see cref="IsEnabled"/> refuses to start otherwise.
/// </summary>
public static class DevelopmentIdentityProvider
{
    public const string EnabledKey = "DevelopmentIdentityProvider:Enabled";
    public const string AccessTokenLifetimeKey = "DevelopmentIdentityProvider:AccessTokenLifetime";
    public const string SigningKeyFileName = "development-identity-signing-key.pem";
    public const string SigningKeyName = "development-identity-provider";
    public const string ClientId = "wsis-gateway";
    public const string LoginPath = "/dev/identity/login";
    public const string AuthorizationPath = "/connect/authorize";
    public const string TokenPath = "/connect/token";
    public const string EndSessionPath = "/connect/logout";

    /// <summary>The provider's own session (who picked which person), separate from the gateway's.</summary>
    public const string SessionScheme = "wsis-development-identity";

    /// <summary>
    /// True when <c>DevelopmentIdentityProvider:Enabled</c> is set in the Development environment; set in
    /// any other environment, the host refuses to start (a provider that signs anyone in as anyone).
    /// </summary>
    public static bool IsEnabled(IConfiguration configuration, IHostEnvironment environment)
    {
        var asked = configuration.GetValue<bool>(EnabledKey);
        if (asked && !environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"{EnabledKey} is true in the {environment.EnvironmentName} environment: the development identity provider signs anyone in " +
                "as anyone and runs only in Development. Configure the organisation's provider in Gateway:SignIn instead.");
        }

        return asked;
    }

    /// <summary>
    /// The settings the provider implies, as defaults below the user's own configuration: its issuer
    /// (this host's web address) among <c>Auth:AdditionalIssuers</c>, its public key among <c>Auth:SigningKeys</c>, and the gateway's
    /// sign-in pointed at it with a client secret made for this run.
    /// </summary>
    public static void AddDefaults(IConfiguration configuration, IDictionary<string, string?> defaults, string dataFolder)
    {
        var issuer = Issuer(configuration).ToString();
        // Its tokens' `iss` is its URL (OpenID Connect wants it so); development tokens keep Auth:Issuer,
        // so they stay valid when the host moves to another port.
        defaults[$"Auth:AdditionalIssuers:{SigningKeyName}"] = issuer;
        if (configuration["Auth:SigningKeys"] is { Length: > 0 } single && !configuration.GetSection("Auth:SigningKeys").GetChildren().Any())
        {
            // One key given as a plain value: keep it beside the provider's (a list masks a plain value).
            defaults["Auth:SigningKeys:0"] = single;
        }

        using var key = SigningKey(dataFolder);
        defaults[$"Auth:SigningKeys:{SigningKeyName}"] = key.ExportSubjectPublicKeyInfoPem();
        defaults["Gateway:SignIn:Authority"] = issuer;
        defaults["Gateway:SignIn:ClientId"] = ClientId;
        defaults["Gateway:SignIn:ClientSecret"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        defaults["Gateway:SignIn:RequireHttpsMetadata"] = "false";
    }

    /// <summary>This host's web address: where the provider's endpoints are, and the tokens' <c>iss</c>.</summary>
    public static Uri Issuer(IConfiguration configuration) => new(EmbeddedConfiguration.WebAddress(configuration), "/");

    public static WebApplicationBuilder AddDevelopmentIdentityProvider(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var services = builder.Services;
        var key = new RsaSecurityKey(SigningKey(EmbeddedConfiguration.DataFolder()));
        var lifetime = configuration.GetValue(AccessTokenLifetimeKey, TimeSpan.FromHours(1));

        services.AddDbContext<DevelopmentIdentityStore>(o => o.UseSqlite(DevelopmentIdentityStore.ConnectionString).UseOpenIddict());
        services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<DevelopmentIdentityStore>())
            .AddServer(server =>
            {
                server.SetIssuer(Issuer(configuration));
                server.SetAuthorizationEndpointUris(AuthorizationPath.TrimStart('/'))
                    .SetTokenEndpointUris(TokenPath.TrimStart('/'))
                    .SetEndSessionEndpointUris(EndSessionPath.TrimStart('/'));
                server.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
                server.RegisterScopes(Scopes.OpenId, Scopes.Profile);
                server.AddSigningKey(key);
                // Authorization codes are encrypted; they live minutes, so a key per run is enough.
                server.AddEphemeralEncryptionKey();
                // The services read access tokens as signed JWTs (they hold no decryption key).
                server.DisableAccessTokenEncryption();
                server.SetAccessTokenLifetime(lifetime);
                server.SetIdentityTokenLifetime(lifetime);
                server.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough()
                    // Plain HTTP on loopback, as the rest of the embedded host.
                    .DisableTransportSecurityRequirement();
            });
        services.AddAuthentication().AddCookie(SessionScheme, cookie =>
        {
            cookie.Cookie.Name = "wsis.development-identity";
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.HttpOnly = true;
            cookie.LoginPath = LoginPath;
        });
        services.AddSingleton<DevelopmentDirectory>();
        services.AddHostedService<DevelopmentIdentityRegistration>();
        return builder;
    }

    public static WebApplication MapDevelopmentIdentityProvider(this WebApplication app)
    {
        app.MapGet(LoginPath, (HttpContext context, IAntiforgery antiforgery, DevelopmentDirectory directory, string? returnUrl) =>
            LoginPage.Render(context, antiforgery, directory, IsAuthorizationRequest(returnUrl) ? returnUrl! : AuthorizationPath)).AllowAnonymous();
        app.MapPost(LoginPath, SignInAsync).AllowAnonymous();
        app.MapMethods(AuthorizationPath, [HttpMethods.Get, HttpMethods.Post], AuthorizeAsync).AllowAnonymous();
        app.MapMethods(EndSessionPath, [HttpMethods.Get, HttpMethods.Post], async (HttpContext context) =>
        {
            await context.SignOutAsync(SessionScheme);
            // OpenIddict sends the browser to the client's registered post-logout address.
            return Results.SignOut(new AuthenticationProperties { RedirectUri = "/" }, [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        }).AllowAnonymous();
        return app;
    }

    /// <summary>The person picked on the login page: the provider's session, then back to the authorization request.</summary>
    private static async Task<IResult> SignInAsync(HttpContext context, IAntiforgery antiforgery, DevelopmentDirectory directory)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Results.BadRequest("The login form expired: go back and pick a person again.");
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var user = DevelopmentUsers.Find(form["subject"]);
        var returnUrl = form["returnUrl"].ToString();
        if (user is null || !IsAuthorizationRequest(returnUrl))
        {
            return Results.BadRequest("Pick one of the listed people.");
        }

        var identity = new ClaimsIdentity(SessionScheme, CallerClaims.Name, CallerClaims.Roles);
        identity.AddClaim(new Claim(CallerClaims.Subject, user.Subject));
        await context.SignInAsync(SessionScheme, new ClaimsPrincipal(identity));
        return Results.Redirect(returnUrl);
    }

    /// <summary>
    /// The authorization endpoint, after OpenIddict checked the client, its redirect address and PKCE:
    /// nobody picked yet → the login page; otherwise the person's claims go into the code (and so into
    /// the tokens), the organisation's stakeholder id looked up now in Teams.
    /// </summary>
    private static async Task<IResult> AuthorizeAsync(HttpContext context, DevelopmentDirectory directory, IConfiguration configuration)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be read.");
        var session = await context.AuthenticateAsync(SessionScheme);
        var user = session.Succeeded ? DevelopmentUsers.Find(session.Principal.FindFirst(CallerClaims.Subject)?.Value) : null;
        if (user is null || request.HasPromptValue(PromptValues.Login))
        {
            var parameters = request.GetParameters()
                .Where(p => p.Key != Parameters.Prompt)
                .Select(p => KeyValuePair.Create(p.Key, (string?)p.Value.ToString()));
            var back = AuthorizationPath + QueryString.Create(parameters);
            return Results.Redirect(LoginPath + "?returnUrl=" + Uri.EscapeDataString(back));
        }

        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, CallerClaims.Name, CallerClaims.Roles);
        identity.AddClaim(new Claim(CallerClaims.Subject, user.Subject));
        identity.AddClaim(new Claim(CallerClaims.Name, user.Name));
        identity.AddClaim(new Claim(CallerClaims.Roles, user.Role));
        if (user.Country is { } country)
        {
            identity.AddClaim(new Claim(CallerClaims.Country, country));
        }

        if (await directory.OrganisationIdAsync(user, context.RequestAborted) is { } org)
        {
            identity.AddClaim(new Claim(CallerClaims.Org, org));
        }

        identity.SetScopes(request.GetScopes());
        identity.SetResources(configuration["Auth:Audience"] ?? "wsis");
        identity.SetDestinations(static _ => [Destinations.AccessToken, Destinations.IdentityToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static bool IsAuthorizationRequest(string? returnUrl) =>
        returnUrl is not null && returnUrl.StartsWith(AuthorizationPath, StringComparison.Ordinal)
        && (returnUrl.Length == AuthorizationPath.Length || returnUrl[AuthorizationPath.Length] == '?');

    /// <summary>The provider's RSA key (PKCS#8 PEM under ./data, owner-only), created on first use.</summary>
    public static RSA SigningKey(string dataFolder)
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(OwnerOnlyFile.ReadOrCreate(Path.Combine(dataFolder, SigningKeyFileName), () =>
        {
            using var created = RSA.Create(2048);
            return created.ExportPkcs8PrivateKeyPem();
        }));
        return rsa;
    }
}
