using Wsis.Gateway;

if (args is ["healthcheck", ..])
{
    // The container's HEALTHCHECK: the image has no curl, so the gateway probes itself.
    return await HealthProbe.RunAsync();
}

// Settings (routes, clusters, limits) are read from beside Gateway.dll whatever the working
// directory, as the services do; started elsewhere it would otherwise serve with no routes.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddGateway();
var app = builder.Build();
app.MapGateway();
app.Run();
return 0;
