using System.Net;
using System.Security.Cryptography;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using Platform.Data;
using Platform.Domain;
using Platform.Security;
using Platform.ServiceDefaults;
using Testing;
using Wsis.Consultations.Closing;
using Wsis.Consultations.Data;
using Wsis.Consultations.V1;

namespace Wsis.Consultations.Tests.Service;

/// <summary>A clock the tests move; the service reads time only through it.</summary>
public sealed class TestClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public DateTimeOffset Now
    {
        get => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);
        set => Interlocked.Exchange(ref _ticks, value.UtcTicks);
    }

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>
/// The Consultations service as it runs (the module's Add/Map, Kestrel HTTP/2 on a free loopback
/// port, bearer tokens, migrations) on a fresh PostgreSQL database, called through the real
/// gRPC client.
/// </summary>
public sealed class ConsultationsHost : IAsyncDisposable
{
    private const string Issuer = "https://tests.wsis.example";
    private const string Audience = "wsis-tests";
    private static readonly byte[] Secret = RandomNumberGenerator.GetBytes(32);

    /// <summary>The log's signing key of every host the tests start (the service refuses to start outside Development without one).</summary>
    public static readonly string LogKeyPem = ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKeyPem();

    private readonly WebApplication _app;
    private readonly GrpcChannel _channel;

    private ConsultationsHost(WebApplication app, TestClock clock, string connectionString, string address)
    {
        _app = app;
        Clock = clock;
        ConnectionString = connectionString;
        Address = address;
        _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024, MaxSendMessageSize = 64 * 1024 * 1024 });
        Anonymous = new V1.Consultations.ConsultationsClient(_channel);
    }

    public TestClock Clock { get; }

    public string ConnectionString { get; }

    public string Address { get; }

    public IServiceProvider Services => _app.Services;

    public V1.Consultations.ConsultationsClient Anonymous { get; }

    public static async Task<ConsultationsHost> StartAsync(
        DateTimeOffset now, string? connectionString = null, IDictionary<string, string?>? settings = null)
    {
        connectionString ??= await (await SharedPostgres.GetAsync()).CreateDatabaseAsync();
        var clock = new TestClock(now);
        var contentRoot = Directory.CreateTempSubdirectory("consultations-host-").FullName;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = contentRoot });
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // EF logs the probe of a not-yet-created migrations table as an error; it is expected here.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.None);
        var configuration = new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:Consultations"] = connectionString,
            ["Auth:Issuer"] = Issuer,
            ["Auth:Audience"] = Audience,
            ["Auth:SigningKeys:0"] = Convert.ToBase64String(Secret),
            ["Consultations:Closing:PollSeconds"] = "3600",
            ["Consultations:Log:SigningKey"] = LogKeyPem,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.AddServiceDefaults();
        builder.AddConsultations();

        var app = builder.Build();
        app.MapServiceDefaults();
        app.MapConsultations();
        await app.MigrateDatabaseAsync<ConsultationsDbContext>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ConsultationsHost(app, clock, connectionString, address);
    }

    /// <summary>A client whose calls carry a bearer token with these claims.</summary>
    public V1.Consultations.ConsultationsClient As(string subject, string role, string? country = null, string? org = null, string? name = null)
    {
        var token = Token(subject, role, country, org, name);
        return new V1.Consultations.ConsultationsClient(new BearerCallInvoker(_channel.CreateCallInvoker(), token));
    }

    /// <summary>A bearer token the service accepts (HS256, the configured issuer and audience).</summary>
    public string Token(string subject, string role, string? country = null, string? org = null, string? name = null) =>
        new DevelopmentTokenIssuer(Issuer, Audience, new SymmetricSecurityKey(Secret))
            .Mint(new DevelopmentTokenRequest(subject, name ?? subject, [role], country, org), TimeSpan.FromHours(2));

    public V1.Consultations.ConsultationsClient Secretariat => As("secretariat-1", Role.Secretariat);

    public V1.Consultations.ConsultationsClient MemberState(string country = "CH") => As("ms-" + country, Role.MemberState, country);

    /// <summary>Runs the closing the hosted service runs at each deadline.</summary>
    public async Task<int> CloseDueAsync()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ConsultationClosing>().CloseDueAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Adds "authorization: Bearer …" to every call, as a client of a partner would.</summary>
internal sealed class BearerCallInvoker(CallInvoker inner, string token) : CallInvoker
{
    private CallOptions WithToken(CallOptions options)
    {
        var headers = new Metadata();
        foreach (var entry in options.Headers ?? [])
        {
            headers.Add(entry);
        }

        headers.Add("authorization", "Bearer " + token);
        return options.WithHeaders(headers);
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        inner.BlockingUnaryCall(method, host, WithToken(options), request);

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        inner.AsyncUnaryCall(method, host, WithToken(options), request);

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        inner.AsyncServerStreamingCall(method, host, WithToken(options), request);

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        inner.AsyncClientStreamingCall(method, host, WithToken(options));

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        inner.AsyncDuplexStreamingCall(method, host, WithToken(options));
}
