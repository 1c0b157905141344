using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Wsis.Teams.Model;

namespace Wsis.Teams.Data.EntityConfigurations;

/// <summary>The catalogue of action lines, seeded by the first migration from <see cref="ActionLine.Catalogue"/>.</summary>
internal sealed class ActionLineConfiguration : IEntityTypeConfiguration<ActionLine>
{
    public void Configure(EntityTypeBuilder<ActionLine> e)
    {
        e.ToTable("action_lines");
        e.HasKey(l => l.Code);
        e.Property(l => l.Code).HasMaxLength(32);
        e.Property(l => l.Title).HasMaxLength(300);
        e.Property(l => l.ParentCode).HasMaxLength(32);
        e.Property(l => l.Order).HasColumnName("SortOrder");
        e.Ignore(l => l.HasTeam);
    }
}
