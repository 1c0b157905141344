using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Platform.Security;

namespace Platform.ServiceDefaults;

public static class BearerAuthenticationExtensions
{
    /// <summary>
    /// Bearer-JWT authentication as the default scheme, configured from <c>Auth:Issuer</c>,
    /// <c>Auth:Audience</c> and <c>Auth:SigningKeys</c> (checked at start: a missing or unreadable
    /// key stops the host with a message naming it). Registers <see cref="DevelopmentTokenIssuer"/>
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
        services.AddAuthentication(BearerTokenDefaults.AuthenticationScheme)
            .AddScheme<BearerTokenOptions, BearerTokenHandler>(BearerTokenDefaults.AuthenticationScheme, null);
        services.AddOptions<BearerTokenOptions>(BearerTokenDefaults.AuthenticationScheme)
            .Configure<IConfiguration>((options, configuration) => options.ReadFrom(configuration))
            .ValidateOnStart();
        services.AddAuthorization();

        if (DevelopmentTokensEnabled(builder.Configuration, builder.Environment))
        {
            services.TryAddSingleton(sp => DevelopmentTokenIssuer.FromConfiguration(
                sp.GetRequiredService<IConfiguration>(), sp.GetService<TimeProvider>()));
        }

        return builder;
    }

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

    private sealed class BearerAuthenticationMarker;
}

public sealed record DevelopmentTokenResponse(string Token);

public sealed record DevelopmentTokenError(string Error);
