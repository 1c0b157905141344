using Platform.ServiceDefaults;
using Wsis.Teams;

// Settings are read from beside Teams.dll whatever the working directory; SQLite files (data/) stay
// relative to the working directory. The container HEALTHCHECK runs `dotnet Teams.dll healthcheck`.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
if (GrpcHealthProbe.Requested(args)) return await GrpcHealthProbe.RunAsync(builder.Configuration, "http://127.0.0.1:5101");
builder.ListenByDefaultOn("http://0.0.0.0:5101");
builder.AddServiceDefaults();
builder.AddTeams();

var app = builder.Build();
app.MapServiceDefaults();
app.MapTeams();
await app.RunAsync();
return 0;
