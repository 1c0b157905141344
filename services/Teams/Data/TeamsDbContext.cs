using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using NodaTime;
using Platform.Data;
using Platform.Messaging;
using Wsis.Teams.Data.EntityConfigurations;
using Wsis.Teams.Model;

namespace Wsis.Teams.Data;

/// <summary>
/// The Teams service's own database. The mapping names no column types, so one model serves SQLite
/// and PostgreSQL; each provider has its own subclass (<see cref="SqliteTeamsDbContext"/>,
/// <see cref="PostgresTeamsDbContext"/>) that owns that provider's generated migrations and model
/// snapshot (Data/Migrations/Sqlite, Data/Migrations/Postgres). The service asks for this type.
/// </summary>
public abstract class TeamsDbContext(DbContextOptions options) : DbContext(options)
{
    /// <summary>Optimistic concurrency token on each aggregate root: bumped on every change to the aggregate.</summary>
    public const string Revision = "Revision";

    public DbSet<ActionLine> ActionLines => Set<ActionLine>();
    public DbSet<Stakeholder> Stakeholders => Set<Stakeholder>();
    public DbSet<Team> Teams => Set<Team>();
    public DbSet<TeamMeeting> TeamMeetings => Set<TeamMeeting>();
    public DbSet<CoordinatorsMeeting> CoordinatorsMeetings => Set<CoordinatorsMeeting>();

    /// <summary>Marks the aggregate changed so that a concurrent change to it fails instead of being lost.</summary>
    public void Touch(object aggregateRoot)
    {
        var entry = Entry(aggregateRoot);
        if (entry.State == EntityState.Added) return;
        var revision = entry.Property(Revision);
        revision.CurrentValue = (int)revision.OriginalValue! + 1;
    }

    // The model keeps time as NodaTime instants; the columns stay the DateTimeOffset columns the
    // migrations created (timestamp with time zone on PostgreSQL, ISO text on SQLite), always at UTC.
    protected override void ConfigureConventions(ModelConfigurationBuilder configuration) =>
        configuration.Properties<Instant>().HaveConversion<InstantAsDateTimeOffset>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        // One configuration per entity (EntityConfigurations/), each aggregate's root before its parts:
        // the root's relationships create the shadow foreign keys (TeamId, MeetingId) the parts' indexes name.
        model.ApplyConfiguration(new ActionLineConfiguration());
        model.ApplyConfiguration(new StakeholderConfiguration());
        model.ApplyConfiguration(new TeamConfiguration());
        model.ApplyConfiguration(new TeamMembershipConfiguration());
        model.ApplyConfiguration(new CoordinatorDesignationConfiguration());
        model.ApplyConfiguration(new CoordinationModalitiesConfiguration());
        model.ApplyConfiguration(new TeamMeetingConfiguration());
        model.ApplyConfiguration(new MeetingRegistrationConfiguration());
        model.ApplyConfiguration(new CoordinatorsMeetingConfiguration());
        model.ApplyConfiguration(new FundingLineConfiguration());
        model.ApplyConfiguration(new OfficerNominationConfiguration());
        model.ApplyConfiguration(new BallotConfiguration());
        model.ApplyConfiguration(new StocktakingProceduresConfiguration());
        model.AddIdempotencyRecords();
        model.AddHistory();
        model.AddMessaging();
    }
}

/// <summary>An instant as the UTC <see cref="DateTimeOffset"/> both providers store (Npgsql accepts only offset zero for timestamptz).</summary>
internal sealed class InstantAsDateTimeOffset() : ValueConverter<Instant, DateTimeOffset>(i => i.ToDateTimeOffset(), d => Instant.FromDateTimeOffset(d));
