using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using NodaTime;
using NodaTime.Text;
using Platform.Data;
using Platform.Messaging;
using Wsis.Consultations.Model;

namespace Wsis.Consultations.Data;

/// <summary>
/// The Consultations service's own database. The mapping names no column types, so one model serves
/// SQLite and PostgreSQL; each provider has its own subclass (<see cref="SqliteConsultationsDbContext"/>,
/// <see cref="PostgresConsultationsDbContext"/>) that owns that provider's generated migrations and
/// model snapshot (Data/Migrations/Sqlite, Data/Migrations/Postgres). The service asks for this type.
/// </summary>
public abstract class ConsultationsDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<GroupMeeting> GroupMeetings => Set<GroupMeeting>();
    public DbSet<Consultation> Consultations => Set<Consultation>();
    public DbSet<Response> Responses => Set<Response>();
    public DbSet<ResponseAttachment> ResponseAttachments => Set<ResponseAttachment>();
    public DbSet<LogHead> LogHeads => Set<LogHead>();
    public DbSet<LogNode> LogNodes => Set<LogNode>();
    public DbSet<LogCheckpoint> LogCheckpoints => Set<LogCheckpoint>();

    /// <summary>Closed consultations' examination packages, computed once and stored (<see cref="Examination.ExaminationPackages"/>).</summary>
    public DbSet<Examination.StoredExaminationPackage> ExaminationPackages => Set<Examination.StoredExaminationPackage>();

    /// <summary>Large open consultations' last packages, served by an instance that starts (<see cref="Examination.ExaminationPackages"/>).</summary>
    public DbSet<Examination.LiveExaminationPackage> LiveExaminationPackages => Set<Examination.LiveExaminationPackage>();

    /// <summary>Who did what to each consultation, and when (<see cref="Platform.Data.HistoryRecords"/>); responses are not in it.</summary>
    public DbSet<HistoryEntry> History => Set<HistoryEntry>();

    // Instants are stored as Unix ticks (100 ns) in a 64-bit integer: exact, ordered and
    // comparable on every provider (SQLite cannot compare DateTimeOffset values in SQL).
    internal static readonly ValueConverter<Instant, long> InstantTicks =
        new(i => i.ToUnixTimeTicks(), t => Instant.FromUnixTimeTicks(t));

    internal static readonly ValueConverter<Instant?, long?> NullableInstantTicks =
        new(i => i.HasValue ? i.Value.ToUnixTimeTicks() : null, t => t.HasValue ? Instant.FromUnixTimeTicks(t.Value) : null);

    // ISO "YYYY-MM-DD" text sorts like the dates it holds.
    internal static readonly ValueConverter<LocalDate, string> IsoDate =
        new(d => LocalDatePattern.Iso.Format(d), s => LocalDatePattern.Iso.Parse(s).Value);

    // Lists of texts (a consultation's questions, a response's problems) as a JSON array of strings, order kept.
    internal static readonly ValueConverter<IReadOnlyList<string>, string> JsonTexts =
        new(v => System.Text.Json.JsonSerializer.Serialize(v, (System.Text.Json.JsonSerializerOptions?)null),
            s => System.Text.Json.JsonSerializer.Deserialize<List<string>>(s, (System.Text.Json.JsonSerializerOptions?)null) ?? new List<string>());

    internal static readonly ValueComparer<IReadOnlyList<string>> JsonTextsComparer =
        new((a, b) => a!.SequenceEqual(b!), v => v.Aggregate(0, (hash, s) => HashCode.Combine(hash, s)), v => v.ToList());

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ConsultationsDbContext).Assembly);
        modelBuilder.AddIdempotencyRecords();
        modelBuilder.AddHistory();
        modelBuilder.AddMessaging();
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        GuardImmutability();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        GuardImmutability();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>Column lengths, as the migrations name them: the model's limits.</summary>
    public static class Limits
    {
        public const int Venue = GroupMeeting.VenueMax;
        public const int Title = Consultation.TitleMax;
        public const int Name = Respondent.NameMax;
        public const int Organisation = Respondent.OrganisationMax;
        public const int Email = Respondent.EmailMax;
        public const int FileName = Response.FileNameMax;
        public const int MediaType = Response.MediaTypeMax;
    }

    /// <summary>Published responses and stored examination packages are immutable: a change or deletion is a programming error.</summary>
    private void GuardImmutability()
    {
        foreach (var entry in ChangeTracker.Entries())
        {
            if (entry.Entity is Response or ResponseAttachment or LogNode or LogCheckpoint && entry.State is EntityState.Modified or EntityState.Deleted)
            {
                throw new InvalidOperationException("Responses are stored once and never changed or deleted.");
            }

            if (entry.Entity is Examination.StoredExaminationPackage && entry.State is EntityState.Modified or EntityState.Deleted)
            {
                throw new InvalidOperationException("A closed consultation's examination package is stored once and never changed or deleted.");
            }
        }
    }
}
