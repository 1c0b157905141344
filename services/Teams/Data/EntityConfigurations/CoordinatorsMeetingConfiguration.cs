using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Wsis.Teams.Model;

namespace Wsis.Teams.Data.EntityConfigurations;

/// <summary>The meeting of coordinators: its funding, the nominations and ballots of its election, its stocktaking procedures.</summary>
internal sealed class CoordinatorsMeetingConfiguration : IEntityTypeConfiguration<CoordinatorsMeeting>
{
    public void Configure(EntityTypeBuilder<CoordinatorsMeeting> e)
    {
        e.ToTable("CoordinatorsMeetings");
        e.Property<int>(TeamsDbContext.Revision).IsConcurrencyToken();
        e.Property(m => m.Venue).HasMaxLength(Text.ReferenceMax);
        e.Property(m => m.ConvenedBy).HasMaxLength(200);
        e.Property(m => m.ElectionClosedBy).HasMaxLength(200);
        e.Property(m => m.ImplementationFrameworkSetBy).HasMaxLength(200);
        e.Ignore(m => m.IsElectionClosed);
        e.Ignore(m => m.UnfilledViceChairSeats);
        e.Ignore(m => m.ViceChairIds);
        e.Ignore(m => m.ChairTieIds);
        e.Ignore(m => m.ViceChairTieIds);
        CommaSeparated.Ids(e.Property<List<Guid>>("_viceChairIds").HasColumnName("ViceChairIds"));
        CommaSeparated.Ids(e.Property<List<Guid>>("_chairTieIds").HasColumnName("ChairTieIds"));
        CommaSeparated.Ids(e.Property<List<Guid>>("_viceChairTieIds").HasColumnName("ViceChairTieIds"));

        e.HasMany(m => m.Funding).WithOne().HasForeignKey("MeetingId").IsRequired().OnDelete(DeleteBehavior.Cascade);
        e.Navigation(m => m.Funding).UsePropertyAccessMode(PropertyAccessMode.Field);
        e.HasMany(m => m.Nominations).WithOne().HasForeignKey("MeetingId").IsRequired().OnDelete(DeleteBehavior.Cascade);
        e.Navigation(m => m.Nominations).UsePropertyAccessMode(PropertyAccessMode.Field);
        e.HasMany(m => m.Ballots).WithOne().HasForeignKey("MeetingId").IsRequired().OnDelete(DeleteBehavior.Cascade);
        e.Navigation(m => m.Ballots).UsePropertyAccessMode(PropertyAccessMode.Field);
        e.HasMany(m => m.StocktakingProcedures).WithOne().HasForeignKey("MeetingId").IsRequired().OnDelete(DeleteBehavior.Cascade);
        e.Navigation(m => m.StocktakingProcedures).UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}

internal sealed class FundingLineConfiguration : IEntityTypeConfiguration<FundingLine>
{
    public void Configure(EntityTypeBuilder<FundingLine> e)
    {
        e.ToTable("FundingLines");
        e.Property(f => f.Id).ValueGeneratedNever();
        e.Property(f => f.Currency).HasMaxLength(3);
    }
}

internal sealed class OfficerNominationConfiguration : IEntityTypeConfiguration<OfficerNomination>
{
    public void Configure(EntityTypeBuilder<OfficerNomination> e)
    {
        e.ToTable("OfficerNominations");
        e.Property(n => n.Id).ValueGeneratedNever();
        e.Property(n => n.NominatedBy).HasMaxLength(200);
        e.HasIndex("MeetingId", nameof(OfficerNomination.Office), nameof(OfficerNomination.StakeholderId)).IsUnique();
    }
}

internal sealed class BallotConfiguration : IEntityTypeConfiguration<Ballot>
{
    public void Configure(EntityTypeBuilder<Ballot> e)
    {
        e.ToTable("Ballots");
        e.Property(b => b.Id).ValueGeneratedNever();
        e.Property(b => b.CastBy).HasMaxLength(200);
        e.Ignore(b => b.CandidateIds);
        CommaSeparated.Ids(e.Property<List<Guid>>("_candidateIds").HasColumnName("CandidateIds"));
        // One ballot per team per office, enforced by the database as well.
        e.HasIndex("MeetingId", nameof(Ballot.Office), nameof(Ballot.TeamId)).IsUnique();
    }
}
