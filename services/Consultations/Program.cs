using Platform.Data;
using Platform.ServiceDefaults;
using Wsis.Consultations;
using Wsis.Consultations.Data;

var builder = WebApplication.CreateBuilder(args);
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
