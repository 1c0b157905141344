using System.Security.Cryptography;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.IdentityModel.Tokens;
using Platform.Domain;
using Platform.Security;
using Platform.ServiceDefaults;
using Wsis.Teams;
using V1 = Wsis.Teams.V1;

namespace Wsis.Teams.Tests.Api;

/// <summary>
/// The Teams service as it runs in the cluster mode: Kestrel on a free loopback port (HTTP/2
/// cleartext), its own PostgreSQL database, RabbitMQ, and bearer tokens signed with a key that
/// only this test host knows.
/// </summary>
public sealed class TeamsServiceHost : IAsyncDisposable
{
    private const string Issuer = "teams-tests";
    private const string Audience = "wsis";

    private readonly WebApplication _app;
    private readonly GrpcChannel _channel;
    private readonly DevelopmentTokenIssuer _tokens;

    private TeamsServiceHost(WebApplication app, string address, DevelopmentTokenIssuer tokens)
    {
        _app = app;
        Address = address;
        _tokens = tokens;
        _channel = GrpcChannel.ForAddress(address);
        Stakeholders = new V1.Stakeholders.StakeholdersClient(_channel);
        Teams = new V1.Teams.TeamsClient(_channel);
        Meetings = new V1.CoordinatorsMeetings.CoordinatorsMeetingsClient(_channel);
    }

    public string Address { get; }
    public V1.Stakeholders.StakeholdersClient Stakeholders { get; }
    public V1.Teams.TeamsClient Teams { get; }
    public V1.CoordinatorsMeetings.CoordinatorsMeetingsClient Meetings { get; }

    public static async Task<TeamsServiceHost> StartAsync(string postgresConnectionString, string? rabbitMqConnectionString)
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = AppContext.BaseDirectory });
        var settings = new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Grpc:Url"] = "http://127.0.0.1:0",
            ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:Teams"] = postgresConnectionString,
            ["Auth:Issuer"] = Issuer,
            ["Auth:Audience"] = Audience,
            ["Auth:SigningKeys:0"] = Convert.ToBase64String(secret),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (rabbitMqConnectionString is not null)
            settings["ConnectionStrings:RabbitMq"] = rabbitMqConnectionString;
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddTeams();
        var app = builder.Build();
        app.MapServiceDefaults();
        app.MapTeams();
        await app.StartAsync();
        var address = app.Urls.Single();
        return new TeamsServiceHost(app, address, new DevelopmentTokenIssuer(Issuer, Audience, new SymmetricSecurityKey(secret)));
    }

    public string Token(string subject, string role, Guid? org = null) =>
        _tokens.Mint(new DevelopmentTokenRequest(subject, subject, [role], null, org?.ToString()));

    /// <summary>A token whose display name (<c>name</c>) differs from its subject, as a person's token has.</summary>
    public Metadata Person(string subject, string name, string role, Guid? org = null) =>
        Bearer(_tokens.Mint(new DevelopmentTokenRequest(subject, name, [role], null, org?.ToString())));

    public static Metadata Bearer(string token) => new() { { "authorization", "Bearer " + token } };

    public Metadata Secretariat => Bearer(Token("secretariat-officer", Role.Secretariat));
    public Metadata StakeholderOf(Guid org) => Bearer(Token("stakeholder-" + org.ToString()[..8], Role.Stakeholder, org));
    public Metadata CoordinatorOf(Guid org) => Bearer(Token("coordinator-" + org.ToString()[..8], Role.Coordinator, org));

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
