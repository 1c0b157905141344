using Platform.ServiceDefaults;
using Wsis.Gateway.Edge;
using Wsis.Gateway.Json;
using Wsis.Gateway.Proxy;
using Wsis.Gateway.Web;

namespace Wsis.Gateway;

/// <summary>The gateway's wiring: edge (token check, rate limits), the gRPC reverse proxy, JSON
/// transcoding with its OpenAPI document, and health. The embedded host calls the same two methods.</summary>
public static class GatewayModule
{
    public static WebApplicationBuilder AddGateway(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddBearerAuthentication();
        builder.Services.AddReverseProxy(builder.Configuration);
        builder.Services.AddSingleton<ProtoCatalog>();
        builder.Services.AddOptions<JsonTranscodingOptions>().Bind(builder.Configuration.GetSection(JsonTranscodingOptions.SectionName));
        builder.Services.AddHealthChecks().AddCheck<ClusterReadiness>("clusters");
        builder.Services.AddSubmissionRateLimiting(builder.Configuration);
        builder.Services.AddWebPages();
        return builder;
    }

    public static WebApplication MapGateway(this WebApplication app)
    {
        app.UseRouting();
        app.UseBearerTokenGate();
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
