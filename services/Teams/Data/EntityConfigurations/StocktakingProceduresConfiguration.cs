using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Wsis.Teams.Model;

namespace Wsis.Teams.Data.EntityConfigurations;

/// <summary>A year's stocktaking procedures, part of the coordinators' meeting that set them.</summary>
internal sealed class StocktakingProceduresConfiguration : IEntityTypeConfiguration<StocktakingProcedures>
{
    public void Configure(EntityTypeBuilder<StocktakingProcedures> e)
    {
        e.ToTable("StocktakingProcedures");
        e.Property(p => p.Id).ValueGeneratedNever();
        e.Property(p => p.SetBy).HasMaxLength(200);
        e.Ignore(p => p.RequiredFields);
        CommaSeparated.Names(e.Property<List<string>>("_requiredFields").HasColumnName("RequiredFields"));
        e.HasIndex("MeetingId", nameof(StocktakingProcedures.Year)).IsUnique();
    }
}
