using Wsis.Reporting;

if (HealthProbe.Requested(args)) return await HealthProbe.RunAsync();

var builder = WebApplication.CreateBuilder(args);
// Default port when neither --urls nor ASPNETCORE_URLS says otherwise. (Kestrel:Endpoints in
// appsettings.json would silently win over both, which the cluster script and compose rely on.)
if (string.IsNullOrEmpty(builder.Configuration["urls"])) builder.WebHost.UseUrls("http://0.0.0.0:5103");
builder.AddReporting();

var app = builder.Build();
app.MapReporting();
await app.RunAsync();
return 0;
