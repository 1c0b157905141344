using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Wsis.Teams.Model;

namespace Wsis.Teams.Data.EntityConfigurations;

/// <summary>The catalogue of action lines, seeded from <see cref="ActionLine.Catalogue"/> (a change to it is a new migration).</summary>
internal sealed class ActionLineConfiguration : IEntityTypeConfiguration<ActionLine>
{
    public void Configure(EntityTypeBuilder<ActionLine> e)
    {
        e.ToTable("ActionLines");
        e.HasKey(l => l.Code);
        e.Property(l => l.Code).HasMaxLength(32);
        e.Property(l => l.Title).HasMaxLength(300);
        e.Property(l => l.ParentCode).HasMaxLength(32);
        e.Property(l => l.Order).HasColumnName("SortOrder");
        e.Ignore(l => l.HasTeam);
        e.HasData(ActionLine.Catalogue.Select(l => new { l.Code, l.Title, l.ParentCode, l.Order }));
    }
}
