using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Platform.Security;

namespace Wsis.Gateway.SignIn;

/// <summary>
/// People sign in at the gateway: it is an OpenID Connect relying party of the organisation's
/// provider (<see cref="SignInOptions"/>; authorization code flow with PKCE, the stock handler) and
/// keeps a cookie session holding the person's access token, which <see cref="SessionAccessToken"/>
/// sends with every call the pages make to the services (who validate it as any bearer token). The
/// session is a scheme of its own: the gateway's default scheme stays the bearer token, so a cookie
/// never authenticates a forwarded or JSON call (no cross-site request can act with it).
/// </summary>
public static partial class SignInModule
{
    /// <summary>The cookie session.</summary>
    public const string SessionScheme = "wsis-session";

    /// <summary>The organisation's OpenID Connect provider.</summary>
    public const string ProviderScheme = "wsis-provider";

    /// <summary>The policy of every workspace page: a signed-in person (the session scheme only).</summary>
    public const string SignedInPolicy = "signed-in";

    public const string SignInPath = "/signin";

    /// <summary>Where a sign-in that did not complete (or is not configured) ends.</summary>
    public const string FailedPath = "/signin/failed";

    public static IServiceCollection AddSignIn(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(SignInOptions.Section).Get<SignInOptions>() ?? new SignInOptions();
        services.Configure<SignInOptions>(configuration.GetSection(SignInOptions.Section));
        services.AddDistributedMemoryCache();
        services.TryAddSingleton<UnsentForms>();
        services.TryAddTransient<SessionAccessToken>();

        var authentication = services.AddAuthentication();
        authentication.AddCookie(SessionScheme, cookie =>
        {
            cookie.Cookie.Name = "wsis.session";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = options.SessionLifetime;
            // The session ends when its access token does (set at sign-in): sliding it would outlive the token.
            cookie.SlidingExpiration = false;
            cookie.LoginPath = SignInPath;
            cookie.AccessDeniedPath = "/workspace";
            if (options.IsConfigured)
            {
                cookie.ForwardChallenge = ProviderScheme;
            }
        });

        if (options.IsConfigured)
        {
            authentication.AddOpenIdConnect(ProviderScheme, oidc => ConfigureProvider(oidc, options));
        }

        services.AddAuthorization(o => o.AddPolicy(SignedInPolicy, policy => policy
            .AddAuthenticationSchemes(SessionScheme)
            .RequireAuthenticatedUser()));
        services.Configure<RazorPagesOptions>(pages => pages.Conventions.AuthorizeFolder("/Workspace", SignedInPolicy));
        return services;
    }

    private static void ConfigureProvider(OpenIdConnectOptions oidc, SignInOptions options)
    {
        oidc.Authority = options.Authority;
        oidc.ClientId = options.ClientId;
        oidc.ClientSecret = options.ClientSecret;
        oidc.RequireHttpsMetadata = options.RequireHttpsMetadata;
        oidc.ResponseType = "code";
        // The code comes back on a top-level GET, so the correlation cookies can stay SameSite=Lax
        // (form_post would need SameSite=None, which browsers refuse without HTTPS).
        oidc.ResponseMode = "query";
        oidc.UsePkce = true;
        oidc.SaveTokens = true;
        oidc.MapInboundClaims = false;
        oidc.GetClaimsFromUserInfoEndpoint = options.GetClaimsFromUserInfoEndpoint;
        oidc.Scope.Clear();
        foreach (var scope in options.AllScopes())
        {
            oidc.Scope.Add(scope);
        }

        oidc.SignInScheme = SessionScheme;
        oidc.CallbackPath = "/signin-oidc";
        oidc.SignedOutCallbackPath = "/signout-callback-oidc";
        oidc.SignedOutRedirectUri = "/";
        foreach (var cookie in new[] { oidc.CorrelationCookie, oidc.NonceCookie })
        {
            cookie.SameSite = SameSiteMode.Lax;
            cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        }

        oidc.TokenValidationParameters.NameClaimType = options.Claims.Name;
        oidc.TokenValidationParameters.RoleClaimType = options.Claims.Roles;
        oidc.Events = new OpenIdConnectEvents
        {
            OnRedirectToIdentityProvider = KeepUnsentFormAsync,
            OnTokenValidated = context =>
            {
                var settings = context.HttpContext.RequestServices.GetRequiredService<IOptionsMonitor<SignInOptions>>().CurrentValue;
                context.Principal = new ClaimsPrincipal(SessionIdentity(context.Principal!, settings));
                context.Properties!.IsPersistent = false;
                context.Properties.ExpiresUtc = SessionEnd(context.HttpContext.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System,
                    settings.SessionLifetime, context.TokenEndpointResponse?.ExpiresIn);
                return Task.CompletedTask;
            },
            OnRemoteFailure = context =>
            {
                // The provider said no (or the person cancelled): a page that says so, not an exception;
                // the reason goes to the log, not into a page anyone could link to with their own text.
                var logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SignInModule));
                LogSignInFailed(logger, context.Failure?.Message ?? "unknown");
                context.Response.Redirect(FailedPath);
                context.HandleResponse();
                return Task.CompletedTask;
            },
        };
    }

    /// <summary>
    /// A form posted after the session ended is challenged before any page sees it: its fields are kept
    /// (<see cref="UnsentForms"/>), and once signed in again the person lands on the same form filled in
    /// as they left it, to check and send. Files are not kept.
    /// </summary>
    private static async Task KeepUnsentFormAsync(RedirectContext context)
    {
        var request = context.Request;
        if (HttpMethods.IsPost(request.Method) && request.HasFormContentType
            && request.Path.StartsWithSegments("/workspace", StringComparison.OrdinalIgnoreCase))
        {
            var form = await request.ReadFormAsync(context.HttpContext.RequestAborted);
            var key = await context.HttpContext.RequestServices.GetRequiredService<UnsentForms>()
                .KeepAsync(request.Path, form, context.HttpContext.RequestAborted);
            context.Properties.RedirectUri = UnsentForms.ResumeUrl(request.PathBase + request.Path + request.QueryString, key);
        }
    }

    /// <summary>The session's identity: this system's claim names (<see cref="CallerClaims"/>) from the provider's.</summary>
    public static ClaimsIdentity SessionIdentity(ClaimsPrincipal provider, SignInOptions options)
    {
        var names = options.Claims;
        var identity = new ClaimsIdentity(SessionScheme, CallerClaims.Name, CallerClaims.Roles);
        void Add(string type, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                identity.AddClaim(new Claim(type, value.Trim()));
            }
        }

        Add(CallerClaims.Subject, provider.FindFirst(names.Subject)?.Value);
        Add(CallerClaims.Name, provider.FindFirst(names.Name)?.Value);
        foreach (var role in provider.FindAll(names.Roles).Select(c => c.Value).Distinct(StringComparer.Ordinal))
        {
            Add(CallerClaims.Roles, options.RoleNames.GetValueOrDefault(role, role));
        }

        Add(CallerClaims.Country, provider.FindFirst(names.Country)?.Value?.ToUpperInvariant());
        Add(CallerClaims.Org, provider.FindFirst(names.Org)?.Value);
        return identity;
    }

    /// <summary>The session lasts its lifetime, or until its access token expires if that is sooner.</summary>
    public static DateTimeOffset SessionEnd(TimeProvider time, TimeSpan lifetime, string? accessTokenExpiresIn)
    {
        var now = time.GetUtcNow();
        var end = now + lifetime;
        if (int.TryParse(accessTokenExpiresIn, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            var tokenEnd = now + TimeSpan.FromSeconds(seconds);
            end = tokenEnd < end ? tokenEnd : end;
        }

        return end;
    }

    public static WebApplication MapSignIn(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<SignInOptions>>().Value;
        app.MapGet(SignInPath, (string? returnUrl, HttpContext context) =>
        {
            var target = Web.WebPages.IsSafeReturnUrl(returnUrl) ? returnUrl! : "/workspace";
            return options.IsConfigured
                ? Results.Challenge(new AuthenticationProperties { RedirectUri = target }, [ProviderScheme])
                : Results.Redirect(FailedPath);
        }).AllowAnonymous();
        return app;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Sign-in did not complete: {Reason}")]
    private static partial void LogSignInFailed(ILogger logger, string reason);
}
