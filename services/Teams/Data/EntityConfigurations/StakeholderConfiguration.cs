using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Wsis.Teams.Model;

namespace Wsis.Teams.Data.EntityConfigurations;

internal sealed class StakeholderConfiguration : IEntityTypeConfiguration<Stakeholder>
{
    public void Configure(EntityTypeBuilder<Stakeholder> e)
    {
        e.ToTable("Stakeholders");
        e.Property(s => s.Name).HasMaxLength(Text.NameMax);
        e.Property(s => s.CountryCode).HasMaxLength(2);
        e.Property(s => s.ContactEmail).HasMaxLength(254);
        e.Property(s => s.RegisteredBy).HasMaxLength(200);
        e.HasIndex(s => s.Category);
        e.HasIndex(s => s.CountryCode);
    }
}
