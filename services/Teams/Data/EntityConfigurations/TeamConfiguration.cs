using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Wsis.Teams.Model;

namespace Wsis.Teams.Data.EntityConfigurations;

/// <summary>The team aggregate: the team, its memberships, its coordinator designations and its modalities.</summary>
internal sealed class TeamConfiguration : IEntityTypeConfiguration<Team>
{
    public void Configure(EntityTypeBuilder<Team> e)
    {
        e.ToTable("Teams");
        e.Property<int>(TeamsDbContext.Revision).IsConcurrencyToken();
        e.Property(t => t.ActionLineCode).HasMaxLength(32);
        e.Property(t => t.CreatedBy).HasMaxLength(200);
        // Exactly one team per action line, whatever races the service loses.
        e.HasIndex(t => t.ActionLineCode).IsUnique();
        e.HasOne<ActionLine>().WithMany().HasForeignKey(t => t.ActionLineCode).OnDelete(DeleteBehavior.Restrict);
        e.Ignore(t => t.CurrentMembers);
        e.Ignore(t => t.DesignatedCoordinator);
        e.Ignore(t => t.CurrentModalities);
        e.Ignore(t => t.DesignationState);

        e.HasMany(t => t.Memberships).WithOne().HasForeignKey("TeamId").IsRequired().OnDelete(DeleteBehavior.Cascade);
        e.Navigation(t => t.Memberships).UsePropertyAccessMode(PropertyAccessMode.Field);
        e.HasMany(t => t.Designations).WithOne().HasForeignKey("TeamId").IsRequired().OnDelete(DeleteBehavior.Cascade);
        e.Navigation(t => t.Designations).UsePropertyAccessMode(PropertyAccessMode.Field);
        e.HasMany(t => t.Modalities).WithOne().HasForeignKey("TeamId").IsRequired().OnDelete(DeleteBehavior.Cascade);
        e.Navigation(t => t.Modalities).UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}

internal sealed class TeamMembershipConfiguration : IEntityTypeConfiguration<TeamMembership>
{
    public void Configure(EntityTypeBuilder<TeamMembership> e)
    {
        e.ToTable("TeamMemberships");
        e.Property(m => m.Id).ValueGeneratedNever();
        e.Property(m => m.JoinedBy).HasMaxLength(200);
        e.Property(m => m.LeftBy).HasMaxLength(200);
        e.Ignore(m => m.IsActive);
        // One open membership per stakeholder and team. The filter is plain SQL both providers read.
        e.HasIndex("TeamId", nameof(TeamMembership.StakeholderId)).IsUnique().HasFilter("\"LeftAt\" IS NULL").HasDatabaseName("IX_TeamMemberships_Open");
    }
}

internal sealed class CoordinatorDesignationConfiguration : IEntityTypeConfiguration<CoordinatorDesignation>
{
    public void Configure(EntityTypeBuilder<CoordinatorDesignation> e)
    {
        e.ToTable("CoordinatorDesignations");
        e.Property(d => d.Id).ValueGeneratedNever();
        e.Property(d => d.NominatedBy).HasMaxLength(200);
        e.Property(d => d.RecommendedBy).HasMaxLength(200);
        e.Property(d => d.DesignatedBy).HasMaxLength(200);
        e.Property(d => d.MeetingReference).HasMaxLength(Text.ReferenceMax);
        e.Property(d => d.DecisionReference).HasMaxLength(Text.ReferenceMax);
        e.Ignore(d => d.IsUnderWay);
        // At most one designated coordinator per team (Stage 3 = Designated).
        e.HasIndex("TeamId").IsUnique().HasFilter("\"Stage\" = 3").HasDatabaseName("IX_CoordinatorDesignations_InForce");
    }
}

internal sealed class CoordinationModalitiesConfiguration : IEntityTypeConfiguration<CoordinationModalities>
{
    public void Configure(EntityTypeBuilder<CoordinationModalities> e)
    {
        e.ToTable("CoordinationModalities");
        e.Property(m => m.Id).ValueGeneratedNever();
        e.Property(m => m.SetBy).HasMaxLength(200);
        e.HasIndex("TeamId", nameof(CoordinationModalities.Version)).IsUnique();
    }
}
