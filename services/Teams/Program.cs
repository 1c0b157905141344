using Platform.ServiceDefaults;
using Wsis.Teams;

// Settings files are read from beside Teams.dll whatever the working directory; the SQLite file
// (data/teams.db) stays relative to the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
if (GrpcHealthProbe.Requested(args))
    return await GrpcHealthProbe.RunAsync(builder.Configuration, TeamsModule.DefaultUrl);

// Port 5101 unless --urls, ASPNETCORE_URLS or a Kestrel endpoint says otherwise (an endpoint in
// appsettings.json would silently win over --urls, which the cluster script and compose rely on).
if (string.IsNullOrEmpty(builder.Configuration["urls"]) && !builder.Configuration.GetSection("Kestrel:Endpoints").GetChildren().Any())
    builder.WebHost.UseUrls(TeamsModule.DefaultUrl);

builder.AddTeams();
builder.Services.AddGrpcHealthChecks();

var app = builder.Build();
app.UseAuthentication();
app.MapServiceDefaults();
app.MapGrpcHealthChecksService();
app.MapTeams();
await app.RunAsync();
return 0;
