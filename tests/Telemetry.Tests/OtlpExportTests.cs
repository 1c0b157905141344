using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Platform.Domain;
using Platform.Messaging;
using Platform.ServiceDefaults;
using Testing;
using Wsis.Reporting.Data;
using Wsis.Teams.Data;
using Wsis.Teams.V1;

using ServiceTelemetry = Platform.ServiceDefaults.Telemetry;

namespace Telemetry.Tests;

/// <summary>
/// What an operator configures: <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (and the protocol) sends traces and
/// metrics to their collector under the service's name; without it nothing is set up, so a host
/// that nobody observes pays nothing for telemetry.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class OtlpExportTests
{
    [Fact]
    public async Task With_an_OTLP_endpoint_traces_and_metrics_reach_the_collector_under_the_configured_service_name()
    {
        await using var collector = await OtlpCollector.StartAsync();
        await using var app = await StartServiceAsync(new Dictionary<string, string?>
        {
            [ServiceTelemetry.OtlpEndpointKey] = collector.Address,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            [ServiceTelemetry.ServiceNameKey] = "wsis-otlp-probe",
        });

        using var http = new HttpClient();
        Assert.Equal("pong", await http.GetStringAsync(app.Urls.First() + "/ping"));
        // What the exporters would send on their own schedule (5 s for spans, 60 s for metrics), now.
        // The request's server span ends just after the client has its answer: flush until it is there.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        bool PingTraced() => collector.Received("/v1/traces").Any(body => body.Contains("wsis-otlp-probe", StringComparison.Ordinal) && body.Contains("GET /ping", StringComparison.Ordinal));
        while (true)
        {
            Assert.True(app.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000));
            if (PingTraced() || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(200);
        }
        Assert.True(app.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000));

        Assert.True(PingTraced(), "no trace of GET /ping reached the collector");
        var metrics = collector.Received("/v1/metrics");
        Assert.Contains(metrics, body => body.Contains("wsis-otlp-probe", StringComparison.Ordinal) && body.Contains("http.server.request.duration", StringComparison.Ordinal));
        // Probes every few seconds would bury the traces worth reading: not traced.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(app.Urls.First() + "/healthz")).StatusCode);
        app.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000);
        Assert.DoesNotContain(collector.Received("/v1/traces"), body => body.Contains("/healthz", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_an_OTLP_endpoint_no_telemetry_is_set_up()
    {
        await using var app = await StartServiceAsync(new Dictionary<string, string?> { [ServiceTelemetry.OtlpEndpointKey] = "" });

        using var http = new HttpClient();
        Assert.Equal("pong", await http.GetStringAsync(app.Urls.First() + "/ping"));
        Assert.Null(app.Services.GetService<TracerProvider>());
        Assert.Null(app.Services.GetService<MeterProvider>());
    }

    [Fact]
    public async Task Without_an_OTLP_endpoint_events_still_flow_and_the_outbox_keeps_no_trace_context()
    {
        await using var services = await TracedServices.StartAsync(Deployment.Embedded, "Teams", traced: false);
        var registered = await new Stakeholders.StakeholdersClient(services.Channel).RegisterStakeholderAsync(new RegisterStakeholderRequest
        {
            Name = "Réseau Sénégal",
            Category = Wsis.Teams.V1.StakeholderCategory.CivilSociety,
            CountryCode = "SN",
            ContactEmail = "contact@example.sn",
        }, services.As("org-1", Role.Stakeholder, org: "org-1"));

        // Reporting applied it (its inbox row), and the row it came from says nothing about a trace.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await CountAsync<ReportingDbContext, InboxMessage>(services) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "Reporting never applied the event");
            await Task.Delay(50);
        }

        await using var scope = services.Services.CreateAsyncScope();
        var row = await scope.ServiceProvider.GetRequiredService<TeamsDbContext>().Set<OutboxMessage>().AsNoTracking()
            .SingleAsync(o => o.AggregateKey == "stakeholder:" + registered.Id);
        Assert.NotNull(row.SentAt);
        Assert.Null(row.TraceParent);
        Assert.Null(row.TraceState);
        Assert.Null(services.Services.GetService<TracerProvider>());
    }

    private static async Task<int> CountAsync<TDb, TRow>(TracedServices services)
        where TDb : DbContext
        where TRow : class
    {
        await using var scope = services.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TDb>().Set<TRow>().CountAsync();
    }

    private static readonly Lazy<string> EmptyFolder = new(() => Directory.CreateTempSubdirectory("wsis-telemetry-root-").FullName);

    /// <summary>A service host as the services' Program.cs builds it (AddServiceDefaults), serving GET /ping.</summary>
    private static async Task<WebApplication> StartServiceAsync(Dictionary<string, string?> settings)
    {
        // An empty content root: only the settings the test gives (no settings file of any deployable).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = EmptyFolder.Value });
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, FreePort.Next(), l => l.Protocols = HttpProtocols.Http1));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults();
        var app = builder.Build();
        app.MapServiceDefaults();
        app.MapGet("/ping", () => "pong");
        await app.StartAsync();
        return app;
    }

    /// <summary>
    /// An OTLP/HTTP receiver (what a collector listens with on 4318): keeps every request body by
    /// path. The bodies are protobuf; the names they carry (service, span, metric) are UTF-8 inside them.
    /// </summary>
    private sealed class OtlpCollector : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly LockedList<(string Path, string Body)> _requests;

        private OtlpCollector(WebApplication app, string address, LockedList<(string, string)> requests)
        {
            _app = app;
            Address = address;
            _requests = requests;
        }

        public string Address { get; }

        public List<string> Received(string path) => _requests.Snapshot().Where(r => r.Path == path).Select(r => r.Body).ToList();

        public static async Task<OtlpCollector> StartAsync()
        {
            var port = FreePort.Next();
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = EmptyFolder.Value });
            builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http1));
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var requests = new LockedList<(string, string)>();
            app.MapPost("/{**path}", async (HttpContext context) =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                requests.Add((context.Request.Path.Value!, Encoding.UTF8.GetString(body.ToArray())));
                // An empty Export*ServiceResponse: everything accepted.
                context.Response.ContentType = "application/x-protobuf";
            });
            await app.StartAsync();
            return new OtlpCollector(app, $"http://127.0.0.1:{port}", requests);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
