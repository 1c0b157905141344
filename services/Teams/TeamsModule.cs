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

    public static WebApplicationBuilder AddTeams(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddBearerAuthentication();
        builder.AddServiceDatabase<TeamsDbContext, SqliteTeamsDbContext, PostgresTeamsDbContext>(DatabaseName);
        builder.AddIdempotencyRetention<TeamsDbContext>();
        // Outbox dispatcher and the bus: RabbitMQ with ConnectionStrings:RabbitMq, in-memory otherwise.
        builder.AddMessaging<TeamsDbContext>();
        builder.AddGrpcDefaults();
        builder.AddGrpcServiceHealth(["teams.v1.Stakeholders", "teams.v1.Teams", "teams.v1.CoordinatorsMeetings"], "database", "broker");
        builder.Services.TryAddSingleton(TimeProvider.System);
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
