using Microsoft.Extensions.DependencyInjection.Extensions;
using Platform.Data;
using Platform.Messaging;
using Platform.ServiceDefaults;
using Wsis.Reporting.Data;
using Wsis.Reporting.Grpc;
using Wsis.Reporting.IntegrationEvents;

namespace Wsis.Reporting;

/// <summary>
/// The Reporting service as a module: its own Program.cs and the embedded host call the same two
/// methods, so both run the same code. Platform defaults (logging, health, bearer authentication)
/// are idempotent, so the embedded host may add them too; host-level matters (URLs, the health
/// endpoints and grpc.health.v1, which a process maps once) stay with the host.
/// </summary>
public static class ReportingModule
{
    /// <summary>The connection-string name and database name of this service (<c>ConnectionStrings:Reporting</c>, <c>data/reporting.db</c>).</summary>
    public const string DatabaseName = "Reporting";

    public static WebApplicationBuilder AddReporting(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddBearerAuthentication();
        builder.AddServiceDatabase<ReportingDbContext, SqliteReportingDbContext, PostgresReportingDbContext>(DatabaseName);   // migrations at start
        builder.AddIdempotencyRetention<ReportingDbContext>();
        // Teams' and Consultations' events feed the read models through the inbox; Reporting's own
        // events leave through the outbox of ReportingDbContext. RabbitMQ with ConnectionStrings:RabbitMq, in-memory otherwise.
        builder.AddMessaging<ReportingDbContext>(m => m.AddHandler<ReadModelEventHandler>());
        builder.AddGrpcDefaults();
        builder.AddGrpcServiceHealth(["reporting.v1.Stocktaking", "reporting.v1.Reports"], "database", "broker");
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddScoped<ReadModelProjection>();
        return builder;
    }

    public static WebApplication MapReporting(this WebApplication app)
    {
        app.MapGrpcService<StocktakingService>();
        app.MapGrpcService<ReportsService>();
        return app;
    }
}
