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

    /// <summary>
    /// Settings as the deployable's appsettings.json has them: gRPC routes to the test service's
    /// cluster "echo" and to clusters "teams", "consultations" and "reporting" (whose names the pages'
    /// clients use), the JSON routes /v1/… of every service, the submission routes with their rate-limiter
    /// policy; every cluster's destinations are <paramref name="destinations"/>.
    /// </summary>
    public static JsonObject Settings(string policy, IEnumerable<(string Name, Uri Address)> destinations,
        bool passive = true, bool active = false, TimeSpan? routeTimeout = null, string? extraRoutePath = null, int submissionLimit = 1000,
        int concurrencyLimit = 1000, long? jsonBodyLimit = null, IReadOnlyDictionary<string, Uri>? clusterAddresses = null)
    {
        var list = destinations.ToList();
        JsonObject Route(string cluster, string path, string? rateLimit = null, string[]? methods = null)
        {
            var route = new JsonObject
            {
                ["ClusterId"] = cluster,
                ["AuthorizationPolicy"] = "valid-token-or-none",
                ["Match"] = new JsonObject { ["Path"] = path },
            };
            if (methods is not null)
            {
                route["Match"]!["Methods"] = new JsonArray(methods.Select(m => (JsonNode)m).ToArray());
            }
            if (rateLimit is not null)
            {
                route["RateLimiterPolicy"] = rateLimit;
            }
            if (routeTimeout is { } timeout)
            {
                route["Timeout"] = timeout.ToString("c");
            }
            if (jsonBodyLimit is { } limit && path.StartsWith("/v1/", StringComparison.Ordinal))
            {
                route["MaxRequestBodySize"] = limit;
            }
            return route;
        }
        var routes = new JsonObject
        {
            ["echo"] = Route("echo", "/test.v1.Echo/{**catch-all}"),
            ["teams-stakeholders"] = Route("teams", "/teams.v1.Stakeholders/{**method}"),
            ["teams-teams"] = Route("teams", "/teams.v1.Teams/{**method}"),
            ["teams-coordinators-meetings"] = Route("teams", "/teams.v1.CoordinatorsMeetings/{**method}"),
            ["consultations"] = Route("consultations", "/consultations.v1.Consultations/{**method}"),
            ["consultations-submit"] = Route("consultations", "/consultations.v1.Consultations/SubmitResponse", "submissions"),
            ["reporting-stocktaking"] = Route("reporting", "/reporting.v1.Stocktaking/{**method}"),
            ["reporting-reports"] = Route("reporting", "/reporting.v1.Reports/{**method}"),
            ["json-teams"] = Route("teams", "/v1/{collection:regex(^(stakeholders|action-lines|teams|team-meetings|coordinators-meetings)$)}/{**rest}"),
            ["json-consultations"] = Route("consultations", "/v1/{collection:regex(^(group-meetings|consultations|emails|responses|unassigned-responses|log)$)}/{**rest}"),
            ["json-consultations-submit"] = Route("consultations", "/v1/consultations/{consultation_id}/responses", "submissions", ["POST"]),
            ["json-reporting"] = Route("reporting", "/v1/{collection:regex(^(contributions|national-reports|inventory|reports)$)}/{**rest}"),
        };
        if (extraRoutePath is not null)
        {
            routes["extra"] = Route("echo", extraRoutePath);
        }
        JsonObject Cluster(string id)
        {
            var dests = new JsonObject();
            foreach (var (name, address) in clusterAddresses?.TryGetValue(id, out var only) == true ? [("d1", only)] : list)
            {
                dests[name] = new JsonObject { ["Address"] = address.ToString() };
            }
            return new JsonObject
            {
                ["LoadBalancingPolicy"] = policy,
                ["AvailableDestinationsPolicy"] = "HealthyOrPanic",
                ["HttpRequest"] = new JsonObject { ["Version"] = "2", ["VersionPolicy"] = "RequestVersionExact" },
                ["Metadata"] = new JsonObject { ["ConsecutiveFailuresHealthPolicy.Threshold"] = "1" },
                ["HealthCheck"] = new JsonObject
                {
                    ["Active"] = new JsonObject { ["Enabled"] = active, ["Interval"] = "00:00:00.200", ["Timeout"] = "00:00:01", ["Policy"] = "GrpcHealth" },
                    ["Passive"] = new JsonObject { ["Enabled"] = passive, ["Policy"] = "DestinationFailures", ["ReactivationPeriod"] = "00:01:00" },
                },
                ["Destinations"] = dests,
            };
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
                ["RateLimits"] = new JsonObject
                {
                    ["Concurrency"] = new JsonObject { ["PermitLimit"] = concurrencyLimit },
                    ["Submissions"] = new JsonObject
                    {
                        ["PermitLimit"] = submissionLimit,
                        ["Window"] = "00:01:00",
                        ["PartnerRoles"] = new JsonArray("partner"),
                        ["PartnerPermitLimit"] = submissionLimit * 3,
                    },
                },
            },
            ["ReverseProxy"] = new JsonObject
            {
                ["Routes"] = routes,
                ["Clusters"] = new JsonObject { ["echo"] = Cluster("echo"), ["teams"] = Cluster("teams"), ["consultations"] = Cluster("consultations"), ["reporting"] = Cluster("reporting") },
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
