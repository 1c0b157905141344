using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Wsis.Teams.Model;

namespace Wsis.Teams.Data.EntityConfigurations;

/// <summary>A team's meeting and its registrations: an aggregate of its own, so registering does not lock the team.</summary>
internal sealed class TeamMeetingConfiguration : IEntityTypeConfiguration<TeamMeeting>
{
    public void Configure(EntityTypeBuilder<TeamMeeting> e)
    {
        e.ToTable("TeamMeetings");
        e.Property<int>(TeamsDbContext.Revision).IsConcurrencyToken();
        e.Property(m => m.Title).HasMaxLength(Text.NameMax);
        e.Property(m => m.VenueOrLink).HasMaxLength(Text.ReferenceMax);
        e.Property(m => m.ScheduledBy).HasMaxLength(200);
        e.HasIndex(m => m.TeamId);
        e.HasOne<Team>().WithMany().HasForeignKey(m => m.TeamId).OnDelete(DeleteBehavior.Cascade);
        e.HasMany(m => m.Registrations).WithOne().HasForeignKey("MeetingId").IsRequired().OnDelete(DeleteBehavior.Cascade);
        e.Navigation(m => m.Registrations).UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}

internal sealed class MeetingRegistrationConfiguration : IEntityTypeConfiguration<MeetingRegistration>
{
    public void Configure(EntityTypeBuilder<MeetingRegistration> e)
    {
        e.ToTable("MeetingRegistrations");
        e.Property(r => r.Id).ValueGeneratedNever();
        e.Property(r => r.RegisteredBy).HasMaxLength(200);
        e.HasIndex("MeetingId", nameof(MeetingRegistration.StakeholderId)).IsUnique();
    }
}
