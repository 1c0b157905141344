using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using NodaTime;
using Platform.Data;
using Platform.Messaging;
using Wsis.Teams.Model;

namespace Wsis.Teams.Data;

/// <summary>
/// The Teams service's own database. The mapping names no column types, so the same model and the
/// hand-written migrations run on SQLite and PostgreSQL (and SQL Server once its provider restores).
/// </summary>
public sealed class TeamsDbContext(DbContextOptions<TeamsDbContext> options) : DbContext(options)
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
        model.Entity<ActionLine>(e =>
        {
            e.ToTable("action_lines");
            e.HasKey(l => l.Code);
            e.Property(l => l.Code).HasMaxLength(32);
            e.Property(l => l.Title).HasMaxLength(300);
            e.Property(l => l.ParentCode).HasMaxLength(32);
            e.Property(l => l.Order).HasColumnName("SortOrder");
            e.Ignore(l => l.HasTeam);
        });

        model.Entity<Stakeholder>(e =>
        {
            e.ToTable("stakeholders");
            e.Property(s => s.Name).HasMaxLength(Text.NameMax);
            e.Property(s => s.CountryCode).HasMaxLength(2);
            e.Property(s => s.ContactEmail).HasMaxLength(254);
            e.Property(s => s.RegisteredBy).HasMaxLength(200);
            e.HasIndex(s => s.Category);
            e.HasIndex(s => s.CountryCode);
        });

        model.Entity<Team>(e =>
        {
            e.ToTable("teams");
            e.Property<int>(Revision).IsConcurrencyToken();
            e.Property(t => t.ActionLineCode).HasMaxLength(32);
            e.Property(t => t.CreatedBy).HasMaxLength(200);
            // Exactly one team per action line, whatever races the service loses.
            e.HasIndex(t => t.ActionLineCode).IsUnique();
            e.HasOne<ActionLine>().WithMany().HasForeignKey(t => t.ActionLineCode).OnDelete(DeleteBehavior.Restrict);
            e.Ignore(t => t.CurrentMembers);
            e.Ignore(t => t.DesignatedCoordinator);
            e.Ignore(t => t.CurrentModalities);
            e.Ignore(t => t.DesignationState);

            e.HasMany(t => t.Memberships).WithOne().HasForeignKey("TeamId").OnDelete(DeleteBehavior.Cascade);
            e.Navigation(t => t.Memberships).UsePropertyAccessMode(PropertyAccessMode.Field);
            e.HasMany(t => t.Designations).WithOne().HasForeignKey("TeamId").OnDelete(DeleteBehavior.Cascade);
            e.Navigation(t => t.Designations).UsePropertyAccessMode(PropertyAccessMode.Field);
            e.HasMany(t => t.Modalities).WithOne().HasForeignKey("TeamId").OnDelete(DeleteBehavior.Cascade);
            e.Navigation(t => t.Modalities).UsePropertyAccessMode(PropertyAccessMode.Field);
        });

        model.Entity<TeamMembership>(e =>
        {
            e.ToTable("team_memberships");
            e.Property(m => m.Id).ValueGeneratedNever();
            e.Property(m => m.JoinedBy).HasMaxLength(200);
            e.Property(m => m.LeftBy).HasMaxLength(200);
            e.Ignore(m => m.IsActive);
            // One open membership per stakeholder and team. The filter is plain SQL both providers read.
            e.HasIndex("TeamId", nameof(TeamMembership.StakeholderId)).IsUnique().HasFilter("\"LeftAt\" IS NULL").HasDatabaseName("IX_team_memberships_open");
        });

        model.Entity<CoordinatorDesignation>(e =>
        {
            e.ToTable("coordinator_designations");
            e.Property(d => d.Id).ValueGeneratedNever();
            e.Property(d => d.NominatedBy).HasMaxLength(200);
            e.Property(d => d.RecommendedBy).HasMaxLength(200);
            e.Property(d => d.DesignatedBy).HasMaxLength(200);
            e.Property(d => d.MeetingReference).HasMaxLength(Text.ReferenceMax);
            e.Property(d => d.DecisionReference).HasMaxLength(Text.ReferenceMax);
            e.Ignore(d => d.IsUnderWay);
            // At most one designated coordinator per team (Stage 3 = Designated).
            e.HasIndex("TeamId").IsUnique().HasFilter("\"Stage\" = 3").HasDatabaseName("IX_coordinator_designations_in_force");
        });

        model.Entity<CoordinationModalities>(e =>
        {
            e.ToTable("coordination_modalities");
            e.Property(m => m.Id).ValueGeneratedNever();
            e.Property(m => m.SetBy).HasMaxLength(200);
            e.HasIndex("TeamId", nameof(CoordinationModalities.Version)).IsUnique();
        });

        model.Entity<TeamMeeting>(e =>
        {
            e.ToTable("team_meetings");
            e.Property<int>(Revision).IsConcurrencyToken();
            e.Property(m => m.Title).HasMaxLength(Text.NameMax);
            e.Property(m => m.VenueOrLink).HasMaxLength(Text.ReferenceMax);
            e.Property(m => m.ScheduledBy).HasMaxLength(200);
            e.HasIndex(m => m.TeamId);
            e.HasOne<Team>().WithMany().HasForeignKey(m => m.TeamId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(m => m.Registrations).WithOne().HasForeignKey("MeetingId").OnDelete(DeleteBehavior.Cascade);
            e.Navigation(m => m.Registrations).UsePropertyAccessMode(PropertyAccessMode.Field);
        });

        model.Entity<MeetingRegistration>(e =>
        {
            e.ToTable("meeting_registrations");
            e.Property(r => r.Id).ValueGeneratedNever();
            e.Property(r => r.RegisteredBy).HasMaxLength(200);
            e.HasIndex("MeetingId", nameof(MeetingRegistration.StakeholderId)).IsUnique();
        });

        model.Entity<CoordinatorsMeeting>(e =>
        {
            e.ToTable("coordinators_meetings");
            e.Property<int>(Revision).IsConcurrencyToken();
            e.Property(m => m.Venue).HasMaxLength(Text.ReferenceMax);
            e.Property(m => m.ConvenedBy).HasMaxLength(200);
            e.Property(m => m.ElectionClosedBy).HasMaxLength(200);
            e.Property(m => m.ImplementationFrameworkSetBy).HasMaxLength(200);
            e.Ignore(m => m.IsElectionClosed);
            e.Ignore(m => m.UnfilledViceChairSeats);
            e.Ignore(m => m.ViceChairIds);
            e.Ignore(m => m.ChairTieIds);
            e.Ignore(m => m.ViceChairTieIds);
            GuidList(e.Property<List<Guid>>("_viceChairIds").HasColumnName("ViceChairIds"));
            GuidList(e.Property<List<Guid>>("_chairTieIds").HasColumnName("ChairTieIds"));
            GuidList(e.Property<List<Guid>>("_viceChairTieIds").HasColumnName("ViceChairTieIds"));

            e.HasMany(m => m.Funding).WithOne().HasForeignKey("MeetingId").OnDelete(DeleteBehavior.Cascade);
            e.Navigation(m => m.Funding).UsePropertyAccessMode(PropertyAccessMode.Field);
            e.HasMany(m => m.Nominations).WithOne().HasForeignKey("MeetingId").OnDelete(DeleteBehavior.Cascade);
            e.Navigation(m => m.Nominations).UsePropertyAccessMode(PropertyAccessMode.Field);
            e.HasMany(m => m.Ballots).WithOne().HasForeignKey("MeetingId").OnDelete(DeleteBehavior.Cascade);
            e.Navigation(m => m.Ballots).UsePropertyAccessMode(PropertyAccessMode.Field);
            e.HasMany(m => m.StocktakingProcedures).WithOne().HasForeignKey("MeetingId").OnDelete(DeleteBehavior.Cascade);
            e.Navigation(m => m.StocktakingProcedures).UsePropertyAccessMode(PropertyAccessMode.Field);
        });

        model.Entity<FundingLine>(e =>
        {
            e.ToTable("funding_lines");
            e.Property(f => f.Id).ValueGeneratedNever();
            e.Property(f => f.Currency).HasMaxLength(3);
        });

        model.Entity<OfficerNomination>(e =>
        {
            e.ToTable("officer_nominations");
            e.Property(n => n.Id).ValueGeneratedNever();
            e.Property(n => n.NominatedBy).HasMaxLength(200);
            e.HasIndex("MeetingId", nameof(OfficerNomination.Office), nameof(OfficerNomination.StakeholderId)).IsUnique();
        });

        model.Entity<Ballot>(e =>
        {
            e.ToTable("ballots");
            e.Property(b => b.Id).ValueGeneratedNever();
            e.Property(b => b.CastBy).HasMaxLength(200);
            e.Ignore(b => b.CandidateIds);
            GuidList(e.Property<List<Guid>>("_candidateIds").HasColumnName("CandidateIds"));
            // One ballot per team per office, enforced by the database as well.
            e.HasIndex("MeetingId", nameof(Ballot.Office), nameof(Ballot.TeamId)).IsUnique();
        });

        model.Entity<StocktakingProcedures>(e =>
        {
            e.ToTable("stocktaking_procedures");
            e.Property(p => p.Id).ValueGeneratedNever();
            e.Property(p => p.SetBy).HasMaxLength(200);
            e.Ignore(p => p.RequiredFields);
            e.Property<List<string>>("_requiredFields").HasColumnName("RequiredFields").HasMaxLength(1000)
                .HasConversion(v => string.Join(',', v), s => s.Length == 0 ? new List<string>() : s.Split(',', StringSplitOptions.None).ToList(),
                    new ValueComparer<List<string>>((a, b) => a!.SequenceEqual(b!), v => v.Aggregate(0, (h, s) => HashCode.Combine(h, s.GetHashCode())), v => v.ToList()));
            e.HasIndex("MeetingId", nameof(StocktakingProcedures.Year)).IsUnique();
        });

        model.AddIdempotencyRecords();
        model.AddMessaging();
    }

    // Lists of ids are stored as comma-separated text: one column type every provider has.
    private static void GuidList(PropertyBuilder<List<Guid>> property) =>
        property.HasMaxLength(4000).HasConversion(
            v => string.Join(',', v),
            s => s.Length == 0 ? new List<Guid>() : s.Split(',', StringSplitOptions.None).Select(Guid.Parse).ToList(),
            new ValueComparer<List<Guid>>((a, b) => a!.SequenceEqual(b!), v => v.Aggregate(0, (h, g) => HashCode.Combine(h, g.GetHashCode())), v => v.ToList()));
}

/// <summary>An instant as the UTC <see cref="DateTimeOffset"/> both providers store (Npgsql accepts only offset zero for timestamptz).</summary>
internal sealed class InstantAsDateTimeOffset() : ValueConverter<Instant, DateTimeOffset>(i => i.ToDateTimeOffset(), d => Instant.FromDateTimeOffset(d));
