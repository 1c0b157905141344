using Platform.ServiceDefaults;
using Wsis.Teams;

var builder = WebApplication.CreateBuilder(args);
if (args is ["healthcheck", ..])
    return await HealthProbe.RunAsync(builder.Configuration);

builder.AddTeams();
builder.Services.AddGrpcHealthChecks();

var app = builder.Build();
app.UseAuthentication();
app.MapServiceDefaults();
app.MapGrpcHealthChecksService();
app.MapTeams();
await app.RunAsync();
return 0;
