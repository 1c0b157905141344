using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Wsis.Reporting.Model;

namespace Wsis.Reporting.Data.EntityConfigurations;

/// <summary>A team's contribution to a year's stocktaking and its inventory entries.</summary>
internal sealed class ContributionConfiguration : IEntityTypeConfiguration<Contribution>
{
    public void Configure(EntityTypeBuilder<Contribution> e)
    {
        e.ToTable("Contributions");
        e.HasKey(x => x.ContributionId);
        e.Property(x => x.TeamId).HasMaxLength(ReportingDbContext.IdLength);
        e.Property(x => x.ActionLineCode).HasMaxLength(ReportingDbContext.CodeLength);
        e.Property(x => x.CoordinatorId).HasMaxLength(ReportingDbContext.IdLength);
        e.HasMany(x => x.Entries).WithOne().HasForeignKey(x => x.ContributionId);
        e.Navigation(x => x.Entries).UsePropertyAccessMode(PropertyAccessMode.Field);
        e.HasIndex(x => new { x.Year, x.TeamId });
    }
}

internal sealed class InventoryEntryConfiguration : IEntityTypeConfiguration<InventoryEntry>
{
    public void Configure(EntityTypeBuilder<InventoryEntry> e)
    {
        e.ToTable("InventoryEntries");
        e.HasKey(x => x.EntryId);
        e.Property(x => x.TeamId).HasMaxLength(ReportingDbContext.IdLength);
        e.Property(x => x.Title).HasMaxLength(Contribution.MaxTitleLength);
        e.Property(x => x.Description).HasMaxLength(Contribution.MaxDescriptionLength);
        e.Property(x => x.ActionLineCodes).HasConversion(JsonColumns.List<string>(), JsonColumns.ListComparer<string>());
        e.Property(x => x.CountryCodes).HasConversion(JsonColumns.List<string>(), JsonColumns.ListComparer<string>());
        e.Property(x => x.StakeholderId).HasMaxLength(ReportingDbContext.IdLength);
        e.Property(x => x.Url).HasMaxLength(Contribution.MaxUrlLength);
        e.Property(x => x.Status).HasConversion<string>().HasMaxLength(ReportingDbContext.CodeLength);
        e.HasIndex(x => x.Year);
    }
}
