using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Wsis.Consultations.Model;

namespace Wsis.Consultations.Data;

internal sealed class GroupMeetingConfiguration : IEntityTypeConfiguration<GroupMeeting>
{
    public void Configure(EntityTypeBuilder<GroupMeeting> e)
    {
        e.ToTable("GroupMeetings");
        e.HasKey(m => m.Id);
        e.Property(m => m.StartsOn).HasConversion(ConsultationsDbContext.IsoDate).HasMaxLength(10);
        e.Property(m => m.Venue).HasMaxLength(GroupMeeting.VenueMax);
        e.Property(m => m.CreatedAt).HasConversion(ConsultationsDbContext.InstantTicks);
        e.Ignore(m => m.ResponseDeadline);
        e.HasIndex(m => m.StartsOn);
    }
}
