using Platform.ServiceDefaults;
using Wsis.Gateway.Edge;
using Wsis.Gateway.Json;
using Wsis.Gateway.Proxy;
using Wsis.Gateway.Relay;
using Wsis.Gateway.Web;

namespace Wsis.Gateway;

/// <summary>The gateway's wiring: edge (token check, rate limits), the gRPC reverse proxy, JSON
/// transcoding with its OpenAPI document, and health. The embedded host calls the same two methods.</summary>
public static class GatewayModule
{
    public static WebApplicationBuilder AddGateway(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddGrpcRelay();
        builder.AddBearerAuthentication();
        builder.Services.AddReverseProxy(builder.Configuration);
        builder.Services.AddSingleton<ProtoCatalog>();
        builder.Services.AddOptions<JsonTranscodingOptions>().Bind(builder.Configuration.GetSection(JsonTranscodingOptions.SectionName));
        // grpc.health.v1 served by the gateway itself (through the gRPC layer); "" follows these checks.
        // Unknown gRPC paths are the proxy's to answer (UNIMPLEMENTED); the layer's catch-all
        // "{service}/{method}" endpoint would also capture two-segment web paths like /css/site.css.
        builder.Services.Configure<Grpc.AspNetCore.Server.GrpcServiceOptions>(o => o.IgnoreUnknownServices = true);
        builder.Services.AddHealthChecks().AddCheck<ClusterReadiness>("clusters");
        builder.Services.AddRouteHealth();
        builder.Services.AddSubmissionRateLimiting(builder.Configuration);
        builder.Services.AddWebPages();
        return builder;
    }

    public static WebApplication MapGateway(this WebApplication app)
    {
        // Forwarded gRPC calls (the bulk of the traffic) take the short way; the rest follows.
        app.UseGrpcForwarding();
        app.UseRouting();
        // Placed here (after the short way) rather than added by WebApplication at the very start
        // of the pipeline, where it would validate the token of every forwarded call once more.
        if (!((IApplicationBuilder)app).Properties.ContainsKey("__AuthenticationMiddlewareSet"))
        {
            app.UseAuthentication();
        }
        app.UseBearerTokenGate();
        // After routing: the methods the embedded host serves itself declare their policies.
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseReverseProxy();
        app.MapServiceDefaults();
        app.MapJsonTranscoding();
        var openApi = OpenApiDocument.Build(app.Services.GetRequiredService<ProtoCatalog>()).ToJsonString();
        app.MapGet("/api/openapi.json", () => Results.Text(openApi, "application/json"));
        app.MapWebPages();
        return app;
    }
}
