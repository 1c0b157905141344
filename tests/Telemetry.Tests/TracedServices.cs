using System.Diagnostics;
using System.Net;
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
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Platform.Data;
using Platform.Security;
using Platform.ServiceDefaults;
using Testing;
using Wsis.Consultations;
using Wsis.Consultations.Data;
using Wsis.Gateway;
using Wsis.Reporting;
using Wsis.Reporting.Data;
using Wsis.Teams;
using Wsis.Teams.Data;

using ServiceTelemetry = Platform.ServiceDefaults.Telemetry;

namespace Telemetry.Tests;

/// <summary>Where the services keep their data and exchange events.</summary>
public enum Deployment
{
    /// <summary>The embedded mode: SQLite files, MassTransit's in-memory transport.</summary>
    Embedded,

    /// <summary>The cluster's stores: PostgreSQL (the intake's group commit writes with bulk inserts there) and RabbitMQ.</summary>
    Cluster,
}

/// <summary>
/// Teams or Consultations, with Reporting consuming their events, in one process as the embedded
/// host composes them (the modules' own Add/Map methods, Kestrel HTTP/2 on a free loopback port,
/// migrations at start), with OpenTelemetry exporting to memory instead of OTLP, or with no
/// telemetry at all.
/// </summary>
internal sealed class TracedServices : IAsyncDisposable
{
    private const string Issuer = "https://telemetry-tests.wsis.example";
    private const string Audience = "wsis-tests";
    private static readonly byte[] Secret = "telemetry-tests-signing-secret-0123456789abcdef"u8.ToArray();

    private readonly WebApplication _app;
    private readonly string _folder;
    private WebApplication? _gateway;
    private readonly DevelopmentTokenIssuer _tokens = new(Issuer, Audience, new SymmetricSecurityKey(Secret));

    private TracedServices(WebApplication app, string folder, string address, ExportedSpans spans, LockedList<MetricSnapshot> metrics, IReadOnlyDictionary<string, string> connectionStrings)
    {
        _app = app;
        _folder = folder;
        Spans = spans;
        Metrics = metrics;
        ConnectionStrings = connectionStrings;
        Channel = GrpcChannel.ForAddress(address);
    }

    public ExportedSpans Spans { get; }
    public LockedList<MetricSnapshot> Metrics { get; }
    public GrpcChannel Channel { get; }
    public IServiceProvider Services => _app.Services;

    /// <summary>Per service (Teams, Consultations, Reporting): its database.</summary>
    public IReadOnlyDictionary<string, string> ConnectionStrings { get; }

    /// <param name="source">The service whose calls raise the events: "Teams" or "Consultations". Reporting consumes them.</param>
    /// <param name="traced">False: the services as they run without <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</param>
    public static async Task<TracedServices> StartAsync(Deployment deployment, string source, bool traced = true)
    {
        var folder = Directory.CreateTempSubdirectory("wsis-telemetry-").FullName;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = folder });
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // EF logs the probe of a not-yet-created migrations table as an error; it is expected here.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.None);

        var connectionStrings = new Dictionary<string, string>();
        foreach (var service in new[] { source, ReportingModule.DatabaseName })
        {
            connectionStrings[service] = deployment == Deployment.Cluster
                ? await (await SharedPostgres.GetAsync()).CreateDatabaseAsync()
                : $"Data Source={Path.Combine(folder, service.ToLowerInvariant() + ".db")}";
        }

        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = deployment == Deployment.Cluster ? "Postgres" : "Sqlite",
            ["Auth:Issuer"] = Issuer,
            ["Auth:Audience"] = Audience,
            ["Auth:SigningKeys:0"] = Convert.ToBase64String(Secret),
            ["Consultations:Closing:PollSeconds"] = "3600",
            ["Consultations:Log:SigningKey"] = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKeyPem(),
            // Serve only once the queues are bound, so the first event is not returned unroutable.
            ["Messaging:WaitUntilBusStarted"] = "true",
            // Whatever the machine's environment says: these hosts export to memory or not at all.
            [ServiceTelemetry.OtlpEndpointKey] = "",
        };
        foreach (var (service, connectionString) in connectionStrings)
        {
            settings[$"ConnectionStrings:{service}"] = connectionString;
        }

        if (deployment == Deployment.Cluster)
        {
            settings["ConnectionStrings:RabbitMq"] = await (await SharedRabbitMq.GetAsync()).CreateVirtualHostAsync();
        }

        builder.Configuration.AddInMemoryCollection(settings);

        var spans = new ExportedSpans();
        var metrics = new LockedList<MetricSnapshot>();
        if (traced)
        {
            // Before the modules: their AddServiceDefaults then finds telemetry set up and adds no OTLP.
            builder.AddTelemetry(t => t.AddInMemoryExporter(spans), m => m.AddInMemoryExporter(metrics));
        }

        if (source == TeamsModule.DatabaseName)
        {
            builder.AddTeams();
        }
        else
        {
            builder.AddConsultations();
        }

        builder.AddReporting();

        var app = builder.Build();
        // The tracer provider is otherwise built when the host starts, after the migrations below:
        // EF Core, having found nobody listening to its commands then, would not look again for a
        // second (its logging cache time), and the first calls' commands would go untraced.
        _ = app.Services.GetService<TracerProvider>();
        app.MapServiceDefaults();
        if (source == TeamsModule.DatabaseName)
        {
            app.MapTeams();
            await app.MigrateDatabaseAsync<TeamsDbContext>();
        }
        else
        {
            app.MapConsultations();
            await app.MigrateDatabaseAsync<ConsultationsDbContext>();
        }

        app.MapReporting();
        await app.MigrateDatabaseAsync<ReportingDbContext>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TracedServices(app, folder, address, spans, metrics, connectionStrings);
    }

    /// <summary>
    /// The gateway (its own module, in this process as in the embedded host, with no telemetry of its
    /// own: the services' tracer provider hears every activity source of the process) routing
    /// <c>consultations.v1.Consultations</c> to these services through YARP; returns its address.
    /// </summary>
    public async Task<GrpcChannel> StartGatewayAsync()
    {
        var services = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = _folder });
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth:Issuer"] = Issuer,
            ["Auth:Audience"] = Audience,
            ["Auth:SigningKeys:0"] = Convert.ToBase64String(Secret),
            [ServiceTelemetry.OtlpEndpointKey] = "",
            ["ReverseProxy:Routes:consultations:ClusterId"] = "consultations",
            ["ReverseProxy:Routes:consultations:AuthorizationPolicy"] = "valid-token-or-none",
            ["ReverseProxy:Routes:consultations:Match:Path"] = "/consultations.v1.Consultations/{**method}",
            ["ReverseProxy:Clusters:consultations:HttpRequest:Version"] = "2",
            ["ReverseProxy:Clusters:consultations:HttpRequest:VersionPolicy"] = "RequestVersionExact",
            ["ReverseProxy:Clusters:consultations:Destinations:d1:Address"] = services.ToString(),
        });
        builder.AddGateway();
        _gateway = builder.Build();
        _gateway.MapGateway();
        await _gateway.StartAsync();
        return GrpcChannel.ForAddress(_gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    /// <summary>Call options with a bearer token for one role.</summary>
    public CallOptions As(string subject, string role, string? country = null, string? org = null) =>
        new(new Metadata { { "authorization", "Bearer " + _tokens.Mint(new DevelopmentTokenRequest(subject, subject, [role], country, org), TimeSpan.FromHours(1)) } });

    /// <summary>Collects the metrics now (the in-memory reader exports only when asked).</summary>
    public void CollectMetrics() => _app.Services.GetRequiredService<MeterProvider>().ForceFlush();

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        if (_gateway is not null)
        {
            await _gateway.StopAsync();
            await _gateway.DisposeAsync();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>The spans the in-memory exporter received (from any thread), and waiting for a trace to be complete.</summary>
internal sealed class ExportedSpans : LockedList<Activity>
{
    /// <summary>
    /// Waits until a span matching <paramref name="end"/> was exported in the trace of the one span
    /// matching <paramref name="start"/>, with every span between them: each parent, from
    /// <paramref name="end"/> up to <paramref name="start"/>, exported too (a parent ends, and is
    /// exported, after its children). Returns that path, <paramref name="end"/> first, and the trace.
    /// Fails with every exported span when that does not happen within <paramref name="patience"/>.
    /// </summary>
    public async Task<(IReadOnlyList<Activity> Path, IReadOnlyList<Activity> Trace)> WaitForPathAsync(
        Func<Activity, bool> start, Func<Activity, bool> end, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            var all = Snapshot();
            if (all.SingleOrDefault(start) is { } first && all.FirstOrDefault(s => s.TraceId == first.TraceId && end(s)) is { } last)
            {
                var trace = all.Where(s => s.TraceId == first.TraceId).ToList();
                var bySpan = trace.ToDictionary(s => s.SpanId);
                var path = new List<Activity> { last };
                while (path[^1].SpanId != first.SpanId && bySpan.TryGetValue(path[^1].ParentSpanId, out var parent))
                {
                    path.Add(parent);
                }

                if (path[^1].SpanId == first.SpanId)
                {
                    return (path, trace);
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"no unbroken path of spans within {patience.TotalSeconds:0} s; exported:{Environment.NewLine}{Describe(all)}");
            }

            await Task.Delay(50);
        }
    }

    public static string Describe(IEnumerable<Activity> spans) =>
        string.Join(Environment.NewLine, spans.Select(s => $"  {s.TraceId} {s.SpanId} <- {s.ParentSpanId} [{s.Source.Name}] {s.Kind} {s.DisplayName}"));
}

/// <summary>An <see cref="ICollection{T}"/> exporters may add to from any thread while a test reads it.</summary>
internal class LockedList<T> : ICollection<T>
{
    private readonly List<T> _items = [];

    public int Count
    {
        get
        {
            lock (_items)
            {
                return _items.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    public List<T> Snapshot()
    {
        lock (_items)
        {
            return [.. _items];
        }
    }

    public void Add(T item)
    {
        lock (_items)
        {
            _items.Add(item);
        }
    }

    public void Clear()
    {
        lock (_items)
        {
            _items.Clear();
        }
    }

    public bool Contains(T item)
    {
        lock (_items)
        {
            return _items.Contains(item);
        }
    }

    public void CopyTo(T[] array, int arrayIndex)
    {
        lock (_items)
        {
            _items.CopyTo(array, arrayIndex);
        }
    }

    public bool Remove(T item)
    {
        lock (_items)
        {
            return _items.Remove(item);
        }
    }

    public IEnumerator<T> GetEnumerator() => Snapshot().GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
