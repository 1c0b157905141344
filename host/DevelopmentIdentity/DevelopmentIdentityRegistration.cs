using Microsoft.Data.Sqlite;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Wsis.Host.DevelopmentIdentity;

/// <summary>
/// At start: the provider's in-memory database (kept alive by one open connection for the host's
/// life) and its one client, the gateway, with the secret the host gave <c>Gateway:SignIn:ClientSecret</c>
/// and the gateway's sign-in and sign-out callbacks on this host's web address.
/// </summary>
public sealed class DevelopmentIdentityRegistration(IServiceProvider services, IConfiguration configuration) : IHostedService, IAsyncDisposable
{
    private readonly SqliteConnection _keepAlive = new(DevelopmentIdentityStore.ConnectionString);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _keepAlive.OpenAsync(cancellationToken);
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DevelopmentIdentityStore>().Database.EnsureCreatedAsync(cancellationToken);
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var clientId = configuration["Gateway:SignIn:ClientId"] ?? DevelopmentIdentityProvider.ClientId;
        if (await applications.FindByClientIdAsync(clientId, cancellationToken) is not null)
        {
            return;
        }

        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = configuration["Gateway:SignIn:ClientSecret"],
            ClientType = ClientTypes.Confidential,
            ConsentType = ConsentTypes.Implicit,
            DisplayName = "WSIS gateway (development)",
            Permissions =
            {
                Permissions.Endpoints.Authorization,
                Permissions.Endpoints.Token,
                Permissions.Endpoints.EndSession,
                Permissions.GrantTypes.AuthorizationCode,
                Permissions.ResponseTypes.Code,
                Permissions.Scopes.Profile,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        // The gateway builds its callback from the address the browser used: loopback by name or by number.
        var web = EmbeddedConfiguration.WebAddress(configuration);
        foreach (var host in new[] { web.Host, "localhost" }.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var root = new UriBuilder(web) { Host = host }.Uri;
            descriptor.RedirectUris.Add(new Uri(root, "/signin-oidc"));
            descriptor.PostLogoutRedirectUris.Add(new Uri(root, "/signout-callback-oidc"));
        }

        await applications.CreateAsync(descriptor, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => _keepAlive.DisposeAsync();
}
