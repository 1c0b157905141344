using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Wsis.Reporting.Model;

namespace Wsis.Reporting.Data.EntityConfigurations;

/// <summary>A periodic report of the coordinators' meeting: draft, then frozen at submission, then transmitted.</summary>
internal sealed class ReportConfiguration : IEntityTypeConfiguration<Report>
{
    public void Configure(EntityTypeBuilder<Report> e)
    {
        e.ToTable("Reports");
        e.HasKey(x => x.ReportId);
        e.Property(x => x.CompiledBy).HasMaxLength(200);
        e.Property(x => x.Title).HasMaxLength(300);
        e.Property(x => x.State).HasConversion<string>().HasMaxLength(ReportingDbContext.CodeLength);
        e.Property(x => x.ContentHash).HasMaxLength(64);
        e.Property(x => x.SubmittedBy).HasMaxLength(ReportingDbContext.IdLength);
        e.Property(x => x.TransmissionReference).HasMaxLength(Report.MaxReferenceLength);
        e.Ignore(x => x.Period);
        e.Ignore(x => x.Document);
        e.Ignore(x => x.Seal);
        e.Ignore(x => x.IsIntact);
        // Concurrency token: two officers submitting the same draft at once cannot both win.
        e.Property(x => x.State).IsConcurrencyToken();
    }
}
