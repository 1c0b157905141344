using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using Platform.Security;
using Platform.ServiceDefaults;
using Wsis.Reporting.Data;

namespace Wsis.Reporting.Tests;

/// <summary>
/// The Reporting service as it runs in the cluster (Kestrel, HTTP/2 cleartext on a free loopback
/// port, PostgreSQL, RabbitMQ when given), wired by the same AddReporting/MapReporting as Program.cs.
/// </summary>
public sealed class ReportingHost : IAsyncDisposable
{
    public const string Issuer = "wsis-test";
    public const string Audience = "wsis";
    private static readonly byte[] Secret = "reporting-tests-signing-secret-0123456789abcdef"u8.ToArray();

    private readonly WebApplication app;
    private readonly DevelopmentTokenIssuer tokens = new(Issuer, Audience, new SymmetricSecurityKey(Secret));

    private ReportingHost(WebApplication app, Uri address)
    {
        this.app = app;
        Address = address;
        Channel = GrpcChannel.ForAddress(address);
    }

    public Uri Address { get; }
    public GrpcChannel Channel { get; }
    public IServiceProvider Services => app.Services;

    public static async Task<ReportingHost> StartAsync(string postgresConnectionString, string? rabbitMq = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Kestrel:EndpointDefaults:Protocols"] = "Http2",
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:Reporting"] = postgresConnectionString,
            ["Auth:Issuer"] = Issuer,
            ["Auth:Audience"] = Audience,
            ["Auth:SigningKeys:0"] = Convert.ToBase64String(Secret),
            // Start serving only once the queue is bound, so events published right away are not lost.
            ["Messaging:WaitUntilBusStarted"] = "true",
        };
        if (rabbitMq is not null) settings["ConnectionStrings:RabbitMq"] = rabbitMq;
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        // As Program.cs does.
        builder.AddReporting();
        var app = builder.Build();
        app.MapServiceDefaults();
        app.MapReporting();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ReportingHost(app, new Uri(address));
    }

    public ReportingDbContext OpenDatabase() => app.Services.CreateScope().ServiceProvider.GetRequiredService<ReportingDbContext>();

    /// <summary>Call options with a bearer token for the given roles and claims.</summary>
    public global::Grpc.Core.CallOptions As(string sub, string[] roles, string? country = null, string? org = null, string? name = null) =>
        new(new global::Grpc.Core.Metadata { { "authorization", "Bearer " + tokens.Mint(new DevelopmentTokenRequest(sub, name ?? sub, roles, country, org)) } });

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
