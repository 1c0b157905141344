using Platform.ServiceDefaults;
using Wsis.Consultations;

// Settings are read from beside Consultations.dll whatever the working directory; SQLite files (data/) stay
// relative to the working directory. The container HEALTHCHECK runs `dotnet Consultations.dll healthcheck`.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
if (GrpcHealthProbe.Requested(args)) return await GrpcHealthProbe.RunAsync(builder.Configuration, "http://127.0.0.1:5102");
builder.ListenByDefaultOn("http://0.0.0.0:5102");
builder.AddServiceDefaults();
builder.AddConsultations();

var app = builder.Build();
app.MapServiceDefaults();
app.MapConsultations();
await app.RunAsync();
return 0;
