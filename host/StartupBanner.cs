using Platform.ServiceDefaults;

namespace Wsis.Host;

/// <summary>Tells whoever started the host where to point a browser and a gRPC client, and how to
/// get a token, once Kestrel listens.</summary>
public sealed class StartupBanner(
    IConfiguration configuration,
    IHostEnvironment environment,
    IHostApplicationLifetime lifetime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() => Console.Out.Write(Text()));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public string Text()
    {
        var web = EmbeddedConfiguration.WebAddress(configuration).ToString().TrimEnd('/');
        var grpc = EmbeddedConfiguration.GrpcAddress(configuration).ToString().TrimEnd('/');
        var data = EmbeddedConfiguration.DataFolder();
        var tokens = BearerAuthenticationExtensions.DevelopmentTokensEnabled(configuration, environment)
            ? $$"""
                development token (roles: secretariat, member-state + country, coordinator + org, stakeholder + org):
                    curl -s -X POST {{web}}/dev/token -H 'Content-Type: application/json' \
                      -d '{"sub":"me","name":"Me","roles":["secretariat"]}'
                  then send it as 'authorization: Bearer <token>' (signing key: {{Path.Combine(data, EmbeddedConfiguration.SigningKeyFileName)}},
                  generated once per install)
              """
            : """
                development tokens are off: run with ASPNETCORE_ENVIRONMENT=Development (what `dotnet run` sets)
                  and Auth:DevelopmentTokens=true, or configure Auth:SigningKeys and mint tokens elsewhere
              """;
        var signIn = DevelopmentIdentity.DevelopmentIdentityProvider.IsEnabled(configuration, environment)
            ? $"{web}/workspace   (development identity provider: pick a person, no password)"
            : configuration["Gateway:SignIn:Authority"] is { Length: > 0 } authority
                ? $"{web}/workspace   (identity provider {authority})"
                : "not configured (Gateway:SignIn:Authority)";
        return $$"""

            WSIS teams and CWG-Internet consultations: embedded host ({{environment.EnvironmentName}})
              web pages     {{web}}/
              sign in       {{signIn}}
              JSON API      {{web}}/v1/...   (e.g. {{web}}/v1/consultations)
              API reference {{web}}/api-reference   (OpenAPI: {{web}}/openapi/v1.json)
              gRPC (h2c)    {{grpc}}   (teams.v1, consultations.v1, reporting.v1, grpc.health.v1)
              data          {{data}} (SQLite), in-memory event bus
            {{tokens}}

            """;
    }
}
