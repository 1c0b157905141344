using Wsis.Gateway.Proxy;

namespace Wsis.Gateway;

public static class GatewayModule
{
    public static WebApplicationBuilder AddGateway(this WebApplicationBuilder builder)
    {
        builder.Services.AddReverseProxy(builder.Configuration);
        return builder;
    }

    public static WebApplication MapGateway(this WebApplication app)
    {
        app.UseReverseProxy();
        app.MapGet("/healthz", () => Results.Text("ok"));
        return app;
    }
}
