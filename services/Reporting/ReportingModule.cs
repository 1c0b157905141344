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
        builder.Services.AddHostedService<ReportingDatabaseMigration>();
        builder.Services.AddGrpc(o => o.MapException = Platform.Data.TransientFailures.ToStatus);
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

/// <summary>Applies Reporting's migrations before the host starts serving (before any hosted service starts).</summary>
internal sealed class ReportingDatabaseMigration(IServiceProvider services) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => MigrateAsync(cancellationToken);

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        await Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.MigrateAsync(
            scope.ServiceProvider.GetRequiredService<ReportingDbContext>().Database, cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
