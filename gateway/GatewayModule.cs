using Platform.ServiceDefaults;
using Wsis.Gateway.Api;
using Wsis.Gateway.Edge;
using Wsis.Gateway.Proxy;
using Wsis.Gateway.SignIn;
using Wsis.Gateway.Web;

namespace Wsis.Gateway;

/// <summary>
/// The gateway: YARP forwards gRPC and JSON (<c>/v1/…</c>) to the services' clusters from the
/// <c>ReverseProxy</c> section, behind the door policy, per-client limits and the routes' timeouts;
/// the gateway also serves the API document and reference, health, and the public web pages.
/// The embedded host calls the same two methods.
/// </summary>
public static class GatewayModule
{
    public static WebApplicationBuilder AddGateway(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddBearerAuthentication();
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddGatewayExtensions(builder.Configuration);
        // Unknown gRPC paths are answered UNIMPLEMENTED by GatewayAnswers, not by grpc-dotnet's catch-all
        // "{service}/{method}" endpoints, which would also take two-segment web paths like /css/site.css.
        builder.Services.Configure<Grpc.AspNetCore.Server.GrpcServiceOptions>(o => o.IgnoreUnknownServices = true);
        builder.Services.AddTokenAtTheDoor();
        builder.Services.AddClientLimits(builder.Configuration);
        builder.Services.AddRequestTimeouts();
        builder.Services.AddHealthChecks().AddCheck<ClusterReadiness>("clusters");
        builder.Services.AddRouteHealth(builder.Configuration);
        builder.Services.AddSingleton(sp => ApiDocument.Generate(sp.GetRequiredService<IWebHostEnvironment>()));
        builder.Services.AddWebPages();
        builder.Services.AddSignIn(builder.Configuration);   // people: OpenID Connect, a cookie session (SignIn/)
        return builder;
    }

    public static WebApplication MapGateway(this WebApplication app)
    {
        // Authentication comes first without being asked: WebApplication puts it at the head of the
        // pipeline whenever a scheme is registered (here, in the embedded host, and in the services).
        app.UseRouting();
        app.UseRateLimiter();                    // per client: calls in progress; submissions per window
        app.UseAuthorization();                  // routes: valid-token-or-none; services' own methods: their policies
        app.UseRequestTimeouts();                // routes' Timeout
        app.Use(GatewayAnswers.AnswerUnknownGrpcMethods);
        app.MapReverseProxy(proxy =>
        {
            proxy.UseForwardingLoopGuard();
            proxy.UseGrpcStreams();              // streaming calls may rest between messages
            proxy.UseProxyErrorAnswers();        // YARP's failures as gRPC statuses / problems
            proxy.UseSessionAffinity();
            proxy.UseSafeRetries();              // GET/HEAD without a body: again on another destination if one was unreachable
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        app.MapServiceDefaults();                // /healthz, /readyz, grpc.health.v1, reflection
        ApiDocument.MapApiReference(app);        // /openapi/v1.json, /api-reference
        app.MapWebPages();
        app.MapSignIn();
        return app;
    }
}
