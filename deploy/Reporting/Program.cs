using Platform.ServiceDefaults;
using Wsis.Reporting;

// Settings are read from beside Reporting.dll whatever the working directory; SQLite files (data/) stay
// relative to the working directory. The container HEALTHCHECK runs `dotnet Reporting.dll healthcheck`.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
if (GrpcHealthProbe.Requested(args)) return await GrpcHealthProbe.RunAsync(builder.Configuration, "http://127.0.0.1:5103");
builder.ListenByDefaultOn("http://0.0.0.0:5103");
builder.AddServiceDefaults();
builder.AddReporting();

var app = builder.Build();
app.MapServiceDefaults();
app.MapReporting();
await app.RunAsync();
return 0;
