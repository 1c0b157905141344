using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Platform.Data;
using Platform.Messaging;
using Wsis.Reporting.Data.EntityConfigurations;
using Wsis.Reporting.Model;

namespace Wsis.Reporting.Data;

/// <summary>
/// Reporting's own database: the read models built from Teams' and Consultations' events, the
/// contributions and their inventory entries, national reports and reports. Mapped without
/// provider-specific types, so one model serves SQLite and PostgreSQL; each provider has its own
/// subclass (<see cref="SqliteReportingDbContext"/>, <see cref="PostgresReportingDbContext"/>) that
/// owns that provider's generated migrations and model snapshot (Data/Migrations/Sqlite,
/// Data/Migrations/Postgres). The service asks for this type.
/// </summary>
public abstract class ReportingDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<StakeholderRecord> Stakeholders => Set<StakeholderRecord>();
    public DbSet<TeamCoordination> TeamCoordinations => Set<TeamCoordination>();
    public DbSet<CoordinatorsMeetingRecord> CoordinatorsMeetings => Set<CoordinatorsMeetingRecord>();
    public DbSet<StocktakingProcedure> StocktakingProcedures => Set<StocktakingProcedure>();
    public DbSet<ConsultationRecord> Consultations => Set<ConsultationRecord>();
    public DbSet<ConsultationResponseRecord> ConsultationResponses => Set<ConsultationResponseRecord>();
    public DbSet<Contribution> Contributions => Set<Contribution>();
    public DbSet<InventoryEntry> InventoryEntries => Set<InventoryEntry>();
    public DbSet<NationalReport> NationalReports => Set<NationalReport>();
    public DbSet<Report> Reports => Set<Report>();

    public const string RowVersion = "Version";
    public const int IdLength = 64;
    public const int CodeLength = 32;

    /// <summary>
    /// Instants are stored as UTC date-time-offsets: the column types the migrations created
    /// (timestamp with time zone on PostgreSQL, ISO text on SQLite), read back as NodaTime instants.
    /// </summary>
    protected override void ConfigureConventions(ModelConfigurationBuilder configuration)
    {
        configuration.Properties<Instant>().HaveConversion<InstantAsDateTimeOffset>();
    }

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.AddIdempotencyRecords();
        model.AddHistory();
        model.AddMessaging();

        // One configuration per entity (EntityConfigurations/): the read models fed by events (each row
        // versioned, ReadModelConfigurations.cs), then contributions, national reports and reports.
        model.ApplyConfiguration(new StakeholderRecordConfiguration());
        model.ApplyConfiguration(new TeamCoordinationConfiguration());
        model.ApplyConfiguration(new CoordinatorsMeetingRecordConfiguration());
        model.ApplyConfiguration(new StocktakingProcedureConfiguration());
        model.ApplyConfiguration(new ConsultationRecordConfiguration());
        model.ApplyConfiguration(new ConsultationResponseRecordConfiguration());
        model.ApplyConfiguration(new ContributionConfiguration());
        model.ApplyConfiguration(new InventoryEntryConfiguration());
        model.ApplyConfiguration(new NationalReportConfiguration());
        model.ApplyConfiguration(new ReportConfiguration());
    }

    private sealed class InstantAsDateTimeOffset() : ValueConverter<Instant, DateTimeOffset>(
        instant => instant.ToDateTimeOffset(), stored => Instant.FromDateTimeOffset(stored));
}
