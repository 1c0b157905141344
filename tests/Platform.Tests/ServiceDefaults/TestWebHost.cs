using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain;
using Platform.Security;
using Platform.ServiceDefaults;

namespace Platform.Tests.ServiceDefaults;

/// <summary>A real Kestrel host on 127.0.0.1 and a free port, with the service defaults and bearer auth.</summary>
public sealed class TestWebHost : IAsyncDisposable
{
    private TestWebHost(WebApplication app, HttpClient client)
    {
        App = app;
        Client = client;
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public static async Task<TestWebHost> StartAsync(
        IDictionary<string, string?> configuration,
        string environment = "Production",
        Action<WebApplicationBuilder>? configure = null,
        Action<WebApplication>? map = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = environment,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.AddServiceDefaults();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapServiceDefaults();

        // What a service method sees: the caller, and what ASP.NET Core's own role check says.
        app.MapGet("/whoami", (HttpContext http) =>
        {
            var caller = Caller.From(http);
            return new WhoAmI(
                caller.IsAuthenticated, caller.Subject, caller.Name, caller.Roles.Order().ToArray(),
                caller.Country, caller.Org, caller.AuthenticationFailure,
                http.User.IsInRole(Role.Secretariat), http.User.IsInRole(Role.MemberState));
        });
        app.MapGet("/secure", () => "inside").RequireAuthorization();
        map?.Invoke(app);

        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new TestWebHost(app, new HttpClient { BaseAddress = new Uri(address) });
    }

    public async Task<WhoAmI> WhoAmIAsync(string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/whoami");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<WhoAmI>())!;
    }

    public async Task<HttpResponseMessage> GetSecureAsync(string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/secure");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

public sealed record WhoAmI(
    bool Authenticated, string? Subject, string? Name, string[] Roles, string? Country, string? Org,
    string? Failure, bool InSecretariatRole, bool InMemberStateRole);
