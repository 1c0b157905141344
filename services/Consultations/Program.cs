using Platform.Data;
using Platform.ServiceDefaults;
using Wsis.Consultations;
using Wsis.Consultations.Data;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddConsultations();

var app = builder.Build();
app.UseAuthentication();
app.MapServiceDefaults();
app.MapConsultations();
await app.MigrateDatabaseAsync<ConsultationsDbContext>();
await app.RunAsync();
