using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using NodaTime;
using NodaTime.Text;
using Platform.Data;
using Platform.Messaging;

namespace Wsis.Consultations.Data;

public sealed class ConsultationsDbContext(DbContextOptions<ConsultationsDbContext> options) : DbContext(options)
{
    public DbSet<GroupMeetingRecord> GroupMeetings => Set<GroupMeetingRecord>();
    public DbSet<ConsultationRecord> Consultations => Set<ConsultationRecord>();
    public DbSet<ResponseRecord> Responses => Set<ResponseRecord>();
    public DbSet<ResponseAttachmentRecord> ResponseAttachments => Set<ResponseAttachmentRecord>();

    // Instants are stored as Unix ticks (100 ns) in a 64-bit integer: exact, ordered and
    // comparable on every provider (SQLite cannot compare DateTimeOffset values in SQL).
    private static readonly ValueConverter<Instant, long> InstantTicks =
        new(i => i.ToUnixTimeTicks(), t => Instant.FromUnixTimeTicks(t));

    private static readonly ValueConverter<Instant?, long?> NullableInstantTicks =
        new(i => i.HasValue ? i.Value.ToUnixTimeTicks() : null, t => t.HasValue ? Instant.FromUnixTimeTicks(t.Value) : null);

    // ISO "YYYY-MM-DD" text sorts like the dates it holds.
    private static readonly ValueConverter<LocalDate, string> IsoDate =
        new(d => LocalDatePattern.Iso.Format(d), s => LocalDatePattern.Iso.Parse(s).Value);

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<GroupMeetingRecord>(e =>
        {
            e.ToTable("GroupMeetings");
            e.HasKey(m => m.Id);
            e.Property(m => m.StartsOn).HasConversion(IsoDate).HasMaxLength(10);
            e.Property(m => m.Venue).HasMaxLength(Limits.Venue);
            e.Property(m => m.CreatedAt).HasConversion(InstantTicks);
            e.HasIndex(m => m.StartsOn);
        });

        modelBuilder.Entity<ConsultationRecord>(e =>
        {
            e.ToTable("Consultations");
            e.HasKey(c => c.Id);
            e.Property(c => c.Title).HasMaxLength(Limits.Title);
            e.Property(c => c.RoutingCode).HasMaxLength(16);
            e.Property(c => c.OpenedBySubject).HasMaxLength(200);
            e.Property(c => c.OpenedByCountryCode).HasMaxLength(2);
            e.Property(c => c.ResponsesDigest).HasMaxLength(64);
            e.Property(c => c.Status).HasConversion<int>();
            e.Property(c => c.ClosesAt).HasConversion(InstantTicks);
            e.Property(c => c.OpenedAt).HasConversion(InstantTicks);
            e.Property(c => c.ClosedAt).HasConversion(NullableInstantTicks);
            e.Property(c => c.ExaminedAt).HasConversion(NullableInstantTicks);
            e.Property(c => c.ResultsPublishedAt).HasConversion(NullableInstantTicks);
            e.HasIndex(c => c.RoutingCode).IsUnique();
            e.HasIndex(c => new { c.Status, c.ClosesAt });
            e.HasOne<GroupMeetingRecord>().WithMany().HasForeignKey(c => c.MeetingId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<ResponseRecord>(e =>
        {
            e.ToTable("Responses");
            e.HasKey(r => r.Id);
            e.Property(r => r.TrackingNumber).HasMaxLength(32);
            e.Property(r => r.Channel).HasConversion<int>();
            e.Property(r => r.ReceivedAt).HasConversion(InstantTicks);
            e.Property(r => r.Sha256).HasMaxLength(64);
            e.Property(r => r.Subject).HasMaxLength(2000);
            e.Property(r => r.RespondentName).HasMaxLength(Limits.Name);
            e.Property(r => r.RespondentOrganisation).HasMaxLength(Limits.Organisation);
            e.Property(r => r.RespondentCountryCode).HasMaxLength(2);
            e.Property(r => r.RespondentEmail).HasMaxLength(Limits.Email);
            e.Property(r => r.EnvelopeRecipient).HasMaxLength(Limits.Email);
            e.HasIndex(r => r.TrackingNumber).IsUnique();
            e.HasIndex(r => new { r.ConsultationId, r.Published, r.ReceivedAt });
            e.HasOne<ConsultationRecord>().WithMany().HasForeignKey(r => r.ConsultationId).OnDelete(DeleteBehavior.Restrict);
            e.HasMany(r => r.Attachments).WithOne().HasForeignKey(a => a.ResponseId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<ResponseAttachmentRecord>(e =>
        {
            e.ToTable("ResponseAttachments");
            e.HasKey(a => new { a.ResponseId, a.Index });
            e.Property(a => a.FileName).HasMaxLength(Limits.FileName);
            e.Property(a => a.MediaType).HasMaxLength(Limits.MediaType);
            e.Property(a => a.Sha256).HasMaxLength(64);
        });

        modelBuilder.AddIdempotencyRecords();
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

    /// <summary>Published responses are immutable: a change or deletion is a programming error.</summary>
    private void GuardImmutability()
    {
        foreach (var entry in ChangeTracker.Entries())
        {
            if (entry.Entity is ResponseRecord or ResponseAttachmentRecord && entry.State is EntityState.Modified or EntityState.Deleted)
            {
                throw new InvalidOperationException("Responses are stored once and never changed or deleted.");
            }
        }
    }

    /// <summary>Column lengths, also the validation limits of the API.</summary>
    public static class Limits
    {
        public const int Venue = 500;
        public const int Title = 300;
        public const int Name = 200;
        public const int Organisation = 300;
        public const int Email = 320;
        public const int FileName = 255;
        public const int MediaType = 255;
    }
}
