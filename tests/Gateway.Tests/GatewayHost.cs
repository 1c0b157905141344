using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Wsis.Gateway;

namespace Gateway.Tests;

/// <summary>The real gateway (AddGateway/MapGateway) on free loopback ports: one HTTP/2 endpoint
/// for gRPC, one HTTP/1.1 endpoint for web and JSON, configured from an appsettings.json in a
/// temporary content root that tests can rewrite to exercise reload without restart.</summary>
public sealed class GatewayHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _root;

    private GatewayHost(WebApplication app, string root, Uri grpc, Uri web)
    {
        _app = app;
        _root = root;
        GrpcAddress = grpc;
        WebAddress = web;
    }

    public Uri GrpcAddress { get; }

    public Uri WebAddress { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<GatewayHost> StartAsync(JsonObject settings)
    {
        var root = Directory.CreateTempSubdirectory("gw-host-").FullName;
        await File.WriteAllTextAsync(Path.Combine(root, "appsettings.json"), settings.ToJsonString());
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = root, EnvironmentName = "Testing" });
        builder.Logging.ClearProviders();
        // First, as in the deployable: the gateway's endpoint defaults (the gRPC relay) apply to
        // the listeners defined below.
        builder.AddGateway();
        ListenOptions? grpc = null, web = null;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0, l => { l.Protocols = HttpProtocols.Http2; grpc = l; });
            k.Listen(IPAddress.Loopback, 0, l => { l.Protocols = HttpProtocols.Http1; web = l; });
        });
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGateway();
        await app.StartAsync();
        return new GatewayHost(app, root,
            new Uri($"http://127.0.0.1:{grpc!.IPEndPoint!.Port}"),
            new Uri($"http://127.0.0.1:{web!.IPEndPoint!.Port}"));
    }

    /// <summary>Rewrites appsettings.json; the file watcher reloads it into the running gateway.</summary>
    public Task RewriteSettingsAsync(JsonObject settings) =>
        File.WriteAllTextAsync(Path.Combine(_root, "appsettings.json"), settings.ToJsonString());

    /// <summary>Settings with one route per test service path prefix to one cluster.</summary>
    public static JsonObject Settings(string policy, IEnumerable<(string Name, Uri Address)> destinations,
        bool passive = true, bool active = false, TimeSpan? routeTimeout = null, string? extraRoutePath = null, int submissionLimit = 1000)
    {
        var dests = new JsonObject();
        foreach (var (name, address) in destinations)
        {
            dests[name] = new JsonObject { ["Address"] = address.ToString() };
        }
        var routes = new JsonObject
        {
            ["echo"] = new JsonObject
            {
                ["ClusterId"] = "echo",
                ["Match"] = new JsonObject { ["Path"] = "/test.v1.Echo/{**catch-all}" },
            },
        };
        if (routeTimeout is { } timeout)
        {
            routes["echo"]!["Timeout"] = timeout.ToString("c");
        }
        foreach (var (name, prefix) in new[] { ("teams", "/teams.v1.Teams/{**rest}"), ("consultations", "/consultations.v1.Consultations/{**rest}"),
                     ("stocktaking", "/reporting.v1.Stocktaking/{**rest}"), ("reports", "/reporting.v1.Reports/{**rest}") })
        {
            routes[name] = new JsonObject { ["ClusterId"] = "echo", ["Match"] = new JsonObject { ["Path"] = prefix } };
        }
        if (extraRoutePath is not null)
        {
            routes["extra"] = new JsonObject { ["ClusterId"] = "echo", ["Match"] = new JsonObject { ["Path"] = extraRoutePath } };
        }
        return new JsonObject
        {
            ["Auth"] = new JsonObject
            {
                ["Issuer"] = TestTokens.Issuer,
                ["Audience"] = TestTokens.Audience,
                ["SigningKeys"] = new JsonArray(TestTokens.SigningKey),
            },
            ["Gateway"] = new JsonObject
            {
                ["Forwarder"] = new JsonObject { ["ConnectTimeout"] = "00:00:02" },
                ["RateLimits"] = new JsonObject { ["Submissions"] = new JsonObject { ["PermitLimit"] = submissionLimit, ["Window"] = "00:01:00" } },
                ["Json"] = new JsonObject { ["MaxRequestBytes"] = 64 * 1024 },
            },
            ["ReverseProxy"] = new JsonObject
            {
                ["Routes"] = routes,
                ["Clusters"] = new JsonObject
                {
                    ["echo"] = new JsonObject
                    {
                        ["LoadBalancingPolicy"] = policy,
                        ["Metadata"] = new JsonObject { ["ConsecutiveFailuresHealthPolicy.Threshold"] = "1" },
                        ["HealthCheck"] = new JsonObject
                        {
                            ["Active"] = new JsonObject { ["Enabled"] = active, ["Interval"] = "00:00:00.200", ["Timeout"] = "00:00:01" },
                            ["Passive"] = new JsonObject { ["Enabled"] = passive, ["ReactivationPeriod"] = "00:01:00" },
                        },
                        ["Destinations"] = dests,
                    },
                },
            },
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_root, true);
        }
        catch (IOException)
        {
        }
    }
}
