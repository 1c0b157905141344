using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Platform.Data;
using Platform.Messaging;
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

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.AddIdempotencyRecords();
        b.AddHistory();
        b.AddMessaging();

        // Read-model rows carry a version, a concurrency token: two deliveries about the same row
        // handled at once cannot both save on a stale copy (the loser retries on the fresh row,
        // so last-writer-wins by occurrence holds under concurrency too).
        // The column's default of 0 is the first migration's (rows had no version before); the
        // service always writes the version itself, so it is not a value the database generates.
        foreach (var row in new[] { typeof(StakeholderRecord), typeof(TeamCoordination), typeof(CoordinatorsMeetingRecord), typeof(StocktakingProcedure), typeof(ConsultationRecord) })
            b.Entity(row).Property<int>(RowVersion).IsConcurrencyToken().HasDefaultValue(0).ValueGeneratedNever();

        b.Entity<StakeholderRecord>(e =>
        {
            e.ToTable("Stakeholders");
            e.HasKey(x => x.StakeholderId);
            e.Property(x => x.StakeholderId).HasMaxLength(IdLength);
            e.Property(x => x.Name).HasMaxLength(500);
            e.Property(x => x.Category).HasConversion<string>().HasMaxLength(CodeLength * 2);
            e.Property(x => x.CountryCode).HasMaxLength(2);
        });

        b.Entity<TeamCoordination>(e =>
        {
            e.ToTable("TeamCoordinations");
            e.HasKey(x => x.TeamId);
            e.Property(x => x.TeamId).HasMaxLength(IdLength);
            e.Property(x => x.ActionLineCode).HasMaxLength(CodeLength);
            e.Property(x => x.CoordinatorId).HasMaxLength(IdLength);
            e.Property(x => x.DecisionReference).HasMaxLength(500);
        });

        b.Entity<CoordinatorsMeetingRecord>(e =>
        {
            e.ToTable("CoordinatorsMeetings");
            e.HasKey(x => x.MeetingId);
            e.Property(x => x.MeetingId).HasMaxLength(IdLength);
            e.Property(x => x.ChairId).HasMaxLength(IdLength);
            e.Property(x => x.ViceChairIds).HasConversion(Json.List<string>(), Json.ListComparer<string>());
            e.Ignore(x => x.HasOfficers);
        });

        b.Entity<StocktakingProcedure>(e =>
        {
            e.ToTable("StocktakingProcedures");
            e.HasKey(x => x.Year);
            e.Property(x => x.Year).ValueGeneratedNever();
            e.Property(x => x.MeetingId).HasMaxLength(IdLength);
            e.Property(x => x.RequiredFields).HasConversion(Json.List<string>(), Json.ListComparer<string>());
        });

        b.Entity<ConsultationRecord>(e =>
        {
            e.ToTable("Consultations");
            e.HasKey(x => x.ConsultationId);
            e.Property(x => x.ConsultationId).HasMaxLength(IdLength);
            e.Property(x => x.Title).HasMaxLength(1000);
            e.Property(x => x.ResponsesDigest).HasMaxLength(128);
            e.Property(x => x.CategoryCountsAtClose).HasConversion(Json.List<CountBy>(), Json.ListComparer<CountBy>());
            e.Ignore(x => x.Period);
        });

        b.Entity<ConsultationResponseRecord>(e =>
        {
            e.ToTable("ConsultationResponses");
            e.HasKey(x => x.ResponseId);
            e.Property(x => x.ResponseId).HasMaxLength(IdLength);
            e.Property(x => x.ConsultationId).HasMaxLength(IdLength);
            e.Property(x => x.Category).HasConversion<string>().HasMaxLength(CodeLength * 2);
            e.Property(x => x.Channel).HasConversion<string>().HasMaxLength(CodeLength);
            e.Property(x => x.CountryCode).HasMaxLength(2);
            e.HasIndex(x => x.ConsultationId);
        });

        b.Entity<Contribution>(e =>
        {
            e.ToTable("Contributions");
            e.HasKey(x => x.ContributionId);
            e.Property(x => x.TeamId).HasMaxLength(IdLength);
            e.Property(x => x.ActionLineCode).HasMaxLength(CodeLength);
            e.Property(x => x.CoordinatorId).HasMaxLength(IdLength);
            e.HasMany(x => x.Entries).WithOne().HasForeignKey(x => x.ContributionId);
            e.Navigation(x => x.Entries).UsePropertyAccessMode(PropertyAccessMode.Field);
            e.HasIndex(x => new { x.Year, x.TeamId });
        });

        b.Entity<InventoryEntry>(e =>
        {
            e.ToTable("InventoryEntries");
            e.HasKey(x => x.EntryId);
            e.Property(x => x.TeamId).HasMaxLength(IdLength);
            e.Property(x => x.Title).HasMaxLength(Contribution.MaxTitleLength);
            e.Property(x => x.Description).HasMaxLength(Contribution.MaxDescriptionLength);
            e.Property(x => x.ActionLineCodes).HasConversion(Json.List<string>(), Json.ListComparer<string>());
            e.Property(x => x.CountryCodes).HasConversion(Json.List<string>(), Json.ListComparer<string>());
            e.Property(x => x.StakeholderId).HasMaxLength(IdLength);
            e.Property(x => x.Url).HasMaxLength(Contribution.MaxUrlLength);
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(CodeLength);
            e.HasIndex(x => x.Year);
        });

        b.Entity<NationalReport>(e =>
        {
            e.ToTable("NationalReports");
            e.HasKey(x => x.NationalReportId);
            e.Property(x => x.CountryCode).HasMaxLength(2);
            e.Property(x => x.SubmittedBy).HasMaxLength(200);
            e.Property(x => x.Activities).HasConversion(Json.List<NationalActivity>(), Json.ListComparer<NationalActivity>());
            // One report per country and year: the database refuses a concurrent second one.
            e.HasIndex(x => new { x.CountryCode, x.Year }).IsUnique();
        });

        b.Entity<Report>(e =>
        {
            e.ToTable("Reports");
            e.HasKey(x => x.ReportId);
            e.Property(x => x.CompiledBy).HasMaxLength(200);
            e.Property(x => x.Title).HasMaxLength(300);
            e.Property(x => x.State).HasConversion<string>().HasMaxLength(CodeLength);
            e.Property(x => x.ContentHash).HasMaxLength(64);
            e.Property(x => x.SubmittedBy).HasMaxLength(IdLength);
            e.Property(x => x.TransmissionReference).HasMaxLength(Report.MaxReferenceLength);
            e.Ignore(x => x.Period);
            e.Ignore(x => x.Document);
            e.Ignore(x => x.Seal);
            e.Ignore(x => x.IsIntact);
            // Concurrency token: two officers submitting the same draft at once cannot both win.
            e.Property(x => x.State).IsConcurrencyToken();
        });
    }

    private sealed class InstantAsDateTimeOffset() : ValueConverter<Instant, DateTimeOffset>(
        instant => instant.ToDateTimeOffset(), stored => Instant.FromDateTimeOffset(stored));

    /// <summary>Lists stored as JSON text: one column type on every provider.</summary>
    private static class Json
    {
        private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

        public static ValueConverter<IReadOnlyList<T>, string> List<T>() =>
            new(v => JsonSerializer.Serialize(v, Options), s => JsonSerializer.Deserialize<List<T>>(s, Options) ?? new List<T>());

        public static ValueComparer<IReadOnlyList<T>> ListComparer<T>() =>
            new((a, b) => JsonSerializer.Serialize(a, Options) == JsonSerializer.Serialize(b, Options),
                v => JsonSerializer.Serialize(v, Options).GetHashCode(StringComparison.Ordinal),
                v => JsonSerializer.Deserialize<List<T>>(JsonSerializer.Serialize(v, Options), Options) ?? new List<T>());
    }
}
