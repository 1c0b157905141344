using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Wsis.Reporting.Model;

namespace Wsis.Reporting.Data.EntityConfigurations;

/// <summary>A Member State's national report for a year.</summary>
internal sealed class NationalReportConfiguration : IEntityTypeConfiguration<NationalReport>
{
    public void Configure(EntityTypeBuilder<NationalReport> e)
    {
        e.ToTable("NationalReports");
        e.HasKey(x => x.NationalReportId);
        e.Property(x => x.CountryCode).HasMaxLength(2);
        e.Property(x => x.SubmittedBy).HasMaxLength(200);
        e.Property(x => x.Activities).HasConversion(JsonColumns.List<NationalActivity>(), JsonColumns.ListComparer<NationalActivity>());
        // One report per country and year: the database refuses a concurrent second one.
        e.HasIndex(x => new { x.CountryCode, x.Year }).IsUnique();
    }
}
