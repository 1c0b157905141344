using Platform.ServiceDefaults;
using Wsis.Consultations;
using Wsis.Gateway;
using Wsis.Host;
using Wsis.Host.DevelopmentIdentity;
using Wsis.Reporting;
using Wsis.Teams;

// The embedded mode: the gateway and the three services in one process, on SQLite files under
// ./data and MassTransit's in-memory transport, through the same module methods each service's
// own Program.cs calls.
args = EmbeddedConfiguration.TakeSwitches(args, out var noDemoData);
// Settings come from the build output (whatever the working directory); data goes to ./data under
// the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
EmbeddedConfiguration.Apply(builder, noDemoData);

builder.AddGateway();
builder.AddTeams();
builder.AddConsultations();
builder.AddReporting();
builder.AddEmbeddedMailDoor();
var developmentIdentity = DevelopmentIdentityProvider.IsEnabled(builder.Configuration, builder.Environment);
if (developmentIdentity)
{
    builder.AddDevelopmentIdentityProvider();
}

builder.Services.AddSingleton<DemoData>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<DemoData>());
builder.Services.AddHostedService<StartupBanner>();

var app = builder.Build();
app.MapGateway();
app.MapTeams();
app.MapConsultations();
app.MapReporting();
if (developmentIdentity)
{
    app.MapDevelopmentIdentityProvider();
}

app.MapServiceDefaults();
await app.RunAsync();
