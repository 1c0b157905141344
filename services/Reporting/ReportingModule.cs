using Microsoft.Extensions.DependencyInjection.Extensions;
using Platform.Data;
using Platform.Messaging;
using Platform.ServiceDefaults;
using Wsis.Reporting.Data;
using Wsis.Reporting.Grpc;
using Wsis.Reporting.IntegrationEvents;

namespace Wsis.Reporting;

/// <summary>
/// All of Reporting's wiring. The service's own Program.cs and the embedded host call the same
/// two methods, so both run the same code; host-level matters (URLs, the health endpoints and
/// grpc.health.v1, which a process maps once) stay with the host.
/// </summary>
public static class ReportingModule
{
    public const string DatabaseName = "Reporting";

    public static WebApplicationBuilder AddReporting(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddBearerAuthentication();
        builder.AddServiceDatabase<ReportingDbContext>(DatabaseName);
        builder.AddIdempotencyRetention<ReportingDbContext>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddScoped<ReadModelProjection>();
        builder.AddGrpcDefaults();
        builder.AddGrpcServiceHealth(["reporting.v1.Stocktaking", "reporting.v1.Reports"], "database", "broker");
        // Teams' and Consultations' events feed the read models through the inbox; Reporting's own
        // events leave through the outbox of ReportingDbContext.
        builder.AddMessaging<ReportingDbContext>(m => m.AddHandler<ReadModelEventHandler>());
        return builder;
    }

    public static WebApplication MapReporting(this WebApplication app)
    {
        app.MapGrpcService<StocktakingService>();
        app.MapGrpcService<ReportsService>();
        return app;
    }
}
