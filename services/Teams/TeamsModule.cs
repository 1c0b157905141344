using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Platform.Data;
using Platform.Messaging;
using Platform.ServiceDefaults;
using Wsis.Teams.Data;
using Wsis.Teams.Grpc;

namespace Wsis.Teams;

/// <summary>
/// The Teams service as a module: its own Program.cs and the embedded host call the same two
/// methods. Platform defaults (logging, health, bearer authentication) are idempotent, so the
/// embedded host may add them too.
/// </summary>
public static class TeamsModule
{
    /// <summary>The connection-string name and database name of this service (<c>ConnectionStrings:Teams</c>, <c>data/teams.db</c>).</summary>
    public const string DatabaseName = "Teams";

    /// <summary>Where the service listens when nothing is configured.</summary>
    public const string DefaultUrl = "http://localhost:5101";

    public static WebApplicationBuilder AddTeams(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddBearerAuthentication();
        builder.AddServiceDatabase<TeamsDbContext>(DatabaseName);
        // Registered before messaging: hosted services start in order, so the tables exist before
        // the outbox dispatcher first looks at them.
        builder.Services.AddHostedService<TeamsDatabaseMigration>();
        builder.AddIdempotencyRetention<TeamsDbContext>();
        // Outbox dispatcher and the bus: RabbitMQ with ConnectionStrings:RabbitMq, in-memory otherwise.
        builder.AddMessaging<TeamsDbContext>();
        builder.Services.AddGrpc(o => o.MapException = Platform.Data.TransientFailures.ToStatus);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddScoped<TeamsOutbox>();
        return builder;
    }

    public static WebApplication MapTeams(this WebApplication app)
    {
        app.MapGrpcService<StakeholdersService>();
        app.MapGrpcService<TeamsService>();
        app.MapGrpcService<CoordinatorsMeetingsService>();
        return app;
    }
}

/// <summary>Applies the Teams migrations when the host starts, before it serves requests.</summary>
internal sealed partial class TeamsDatabaseMigration(IServiceProvider services, ILogger<TeamsDatabaseMigration> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TeamsDbContext>();
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count > 0)
            LogMigrating(logger, pending.Count, db.Database.ProviderName ?? "?");
        await db.Database.MigrateAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Applying {Count} Teams migration(s) on {Provider}")]
    private static partial void LogMigrating(ILogger logger, int count, string provider);
}
