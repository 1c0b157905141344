using Platform.ServiceDefaults;
using Wsis.Reporting;

var builder = WebApplication.CreateBuilder(args);
if (GrpcHealthProbe.Requested(args)) return await GrpcHealthProbe.RunAsync(builder.Configuration, "http://127.0.0.1:5103");
// Default port when neither --urls nor ASPNETCORE_URLS says otherwise. (Kestrel:Endpoints in
// appsettings.json would silently win over both, which the cluster script and compose rely on.)
if (string.IsNullOrEmpty(builder.Configuration["urls"])) builder.WebHost.UseUrls("http://0.0.0.0:5103");
builder.AddReporting();
builder.Services.AddGrpcHealthChecks();

var app = builder.Build();
app.MapServiceDefaults();
app.MapGrpcHealthChecksService();
app.MapReporting();
await app.RunAsync();
return 0;
