using Wsis.Gateway;

if (args is ["healthcheck", ..])
{
    // The container's HEALTHCHECK: the image has no curl, so the gateway probes itself.
    return await HealthProbe.RunAsync();
}

var builder = WebApplication.CreateBuilder(args);
builder.AddGateway();
var app = builder.Build();
app.MapGateway();
app.Run();
return 0;
