using Platform.Data;
using Platform.ServiceDefaults;
using Wsis.Consultations;
using Wsis.Consultations.Data;

var builder = WebApplication.CreateBuilder(args);
// The container HEALTHCHECK runs `dotnet Consultations.dll healthcheck`.
if (GrpcHealthProbe.Requested(args)) return await GrpcHealthProbe.RunAsync(builder.Configuration, "http://127.0.0.1:5102");
builder.AddServiceDefaults();
builder.AddConsultations();
// grpc.health.v1 on every service: the gateway's active health checks and the container probe ask it.
builder.Services.AddGrpcHealthChecks();

var app = builder.Build();
app.UseAuthentication();
app.MapServiceDefaults();
app.MapConsultations();
app.MapGrpcHealthChecksService();
await app.MigrateDatabaseAsync<ConsultationsDbContext>();
await app.RunAsync();
return 0;
