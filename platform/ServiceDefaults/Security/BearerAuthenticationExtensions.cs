using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Platform.Security;

namespace Platform.ServiceDefaults;

public static partial class BearerAuthenticationExtensions
{
    /// <summary>
    /// Bearer-JWT authentication with the stock handler (<c>AddJwtBearer</c>) as the default scheme,
    /// configured from <c>Auth:Issuer</c>, <c>Auth:Audience</c> and <c>Auth:SigningKeys</c> (checked
    /// at start: a missing or unreadable key stops the host with a message naming it); the policies
    /// of <see cref="Policies"/> and <see cref="RuleRefusals"/>. Registers <see cref="DevelopmentTokenIssuer"/>
    /// only when <c>Auth:DevelopmentTokens</c> is true and the environment is Development.
    /// Safe to call more than once (the embedded host and each module may).
    /// </summary>
    public static TBuilder AddBearerAuthentication<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        if (services.Any(s => s.ServiceType == typeof(BearerAuthenticationMarker)))
        {
            return builder;
        }

        services.AddSingleton<BearerAuthenticationMarker>();
        services.AddOptions<BearerTokenOptions>()
            .Configure<IConfiguration>((options, configuration) => options.ReadFrom(configuration))
            .Validate(o => { o.Validate(); return true; })
            .ValidateOnStart();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<BearerTokenOptions>>((jwt, accepted) => Configure(jwt, accepted.Value));

        services.AddAuthorization(Policies.AddTo);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, RuleRequirementHandler>());
        // Replaces the stock result handler AddAuthorization registered.
        services.Replace(ServiceDescriptor.Singleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, RuleRefusals>());

        if (DevelopmentTokensEnabled(builder.Configuration, builder.Environment))
        {
            services.TryAddSingleton(sp => DevelopmentTokenIssuer.FromConfiguration(
                sp.GetRequiredService<IConfiguration>(), sp.GetService<TimeProvider>()));
        }

        return builder;
    }

    private static void Configure(JwtBearerOptions jwt, BearerTokenOptions accepted)
    {
        jwt.MapInboundClaims = false;
        jwt.TokenValidationParameters = accepted.ToValidationParameters();
        // IdentityModel's handler, remembering validated tokens and checking alg first (RememberingTokenHandler).
        jwt.TokenHandlers.Clear();
        jwt.TokenHandlers.Add(new RememberingTokenHandler());
        jwt.Events = new JwtBearerEvents
        {
            OnMessageReceived = context =>
            {
                // The stock handler reads a header without a token as "no token"; a client that
                // sends "Bearer" and nothing else meant to authenticate, and is told why it failed.
                var headers = context.Request.Headers.Authorization;
                if (headers.Count > 1)
                {
                    Reject(context, "more than one authorization header");
                }
                else if (headers.Count == 1 && (headers[0] ?? "").Trim() is var header
                         && (header.Equals("Bearer", StringComparison.OrdinalIgnoreCase)
                             || header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header[7..].Trim().Length == 0))
                {
                    Reject(context, "empty bearer token");
                }

                return Task.CompletedTask;
            },
            OnTokenValidated = context =>
            {
                if (string.IsNullOrEmpty(context.Principal?.FindFirst(CallerClaims.Subject)?.Value))
                {
                    Reject(context, "token has no subject");
                }

                return Task.CompletedTask;
            },
            OnAuthenticationFailed = context =>
            {
                Reject(context, ReasonFor(context.Exception));
                return Task.CompletedTask;
            },
            OnChallenge = context =>
            {
                // The reason the caller reads is ours, short and safe, not IdentityModel's text.
                if (context.HttpContext.Features.Get<BearerTokenRejection>() is { } rejection)
                {
                    context.Error = "invalid_token";
                    context.ErrorDescription = rejection.Reason;
                }

                return Task.CompletedTask;
            },
        };
    }

    private static void Reject<TOptions>(ResultContext<TOptions> context, string reason)
        where TOptions : AuthenticationSchemeOptions
    {
        var logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(BearerAuthenticationExtensions));
        LogRejected(logger, reason, context.Request.Path.Value ?? "");
        context.HttpContext.Features.Set(new BearerTokenRejection(reason));
        context.Fail(reason);
    }

    /// <summary>The reason a caller reads: it names the rule, and never echoes token contents or keys.</summary>
    public static string ReasonFor(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => "token expired",
        SecurityTokenNotYetValidException => "token not yet valid",
        SecurityTokenNoExpirationException => "token has no expiry",
        SecurityTokenInvalidLifetimeException => "token lifetime invalid",
        SecurityTokenInvalidIssuerException => "wrong issuer",
        SecurityTokenInvalidAudienceException => "wrong audience",
        SecurityTokenInvalidAlgorithmException => "signature algorithm not accepted",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "invalid signature",
        SecurityTokenMalformedException or ArgumentException => "malformed token",
        _ => "invalid token",
    };

    /// <summary>Both conditions, so a stray flag in a production configuration mints nothing.</summary>
    public static bool DevelopmentTokensEnabled(IConfiguration configuration, IHostEnvironment environment) =>
        environment.IsDevelopment() && configuration.GetValue<bool>("Auth:DevelopmentTokens");

    /// <summary>
    /// <c>POST /dev/token</c> with <c>{sub, name, roles[], country?, org?}</c> → <c>{token}</c>;
    /// mapped only when development tokens are enabled (see <see cref="AddBearerAuthentication{TBuilder}"/>).
    /// </summary>
    public static IEndpointRouteBuilder MapDevelopmentTokens(this IEndpointRouteBuilder endpoints)
    {
        if (endpoints.ServiceProvider.GetService<DevelopmentTokenIssuer>() is null)
        {
            return endpoints;
        }

        endpoints.MapPost("/dev/token", (DevelopmentTokenRequest request, DevelopmentTokenIssuer issuer) =>
        {
            try
            {
                return Results.Ok(new DevelopmentTokenResponse(issuer.Mint(request)));
            }
            catch (ArgumentException e)
            {
                return Results.BadRequest(new DevelopmentTokenError(e.Message));
            }
        }).AllowAnonymous();
        return endpoints;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Bearer token rejected on {Path}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string reason, string path);

    private sealed class BearerAuthenticationMarker;
}

public sealed record DevelopmentTokenResponse(string Token);

public sealed record DevelopmentTokenError(string Error);
