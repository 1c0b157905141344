using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Wsis.Consultations.Model;

namespace Wsis.Consultations.Data;

internal sealed class ConsultationConfiguration : IEntityTypeConfiguration<Consultation>
{
    public void Configure(EntityTypeBuilder<Consultation> e)
    {
        e.ToTable("Consultations");
        e.HasKey(c => c.Id);
        e.Property(c => c.Title).HasMaxLength(Consultation.TitleMax);
        e.Property(c => c.Questions).HasColumnName("QuestionsJson")
            .HasConversion(ConsultationsDbContext.JsonTexts, ConsultationsDbContext.JsonTextsComparer);
        e.Property(c => c.RoutingCode).HasMaxLength(16);
        e.Property(c => c.OpenedBySubject).HasMaxLength(200);
        e.Property(c => c.OpenedByCountryCode).HasMaxLength(2);
        e.Property(c => c.ResponsesDigest).HasMaxLength(64);
        // The column keeps the name of the first schema. It is also the concurrency token: of two
        // requests taking the same step at once (two PublishResults), the second fails (ABORTED)
        // instead of taking it again.
        e.Property(c => c.State).HasColumnName("Status").HasConversion<int>().IsConcurrencyToken();
        e.Property(c => c.ClosesAt).HasConversion(ConsultationsDbContext.InstantTicks);
        e.Property(c => c.OpenedAt).HasConversion(ConsultationsDbContext.InstantTicks);
        e.Property(c => c.ClosedAt).HasConversion(ConsultationsDbContext.NullableInstantTicks);
        e.Property(c => c.ExaminedAt).HasConversion(ConsultationsDbContext.NullableInstantTicks);
        e.Property(c => c.ResultsPublishedAt).HasConversion(ConsultationsDbContext.NullableInstantTicks);
        e.Ignore(c => c.ResponseWindow);
        e.HasIndex(c => c.RoutingCode).IsUnique();
        e.HasIndex(c => new { c.State, c.ClosesAt });
        e.HasOne<GroupMeeting>().WithMany().HasForeignKey(c => c.MeetingId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class StoredExaminationPackageConfiguration : IEntityTypeConfiguration<Examination.StoredExaminationPackage>
{
    public void Configure(EntityTypeBuilder<Examination.StoredExaminationPackage> e)
    {
        // One row per consultation: the key is what makes the first writer win.
        e.ToTable("ExaminationPackages");
        e.HasKey(p => p.ConsultationId);
        e.Property(p => p.ResponsesDigest).HasMaxLength(64);
        e.Property(p => p.ComputedAt).HasConversion(ConsultationsDbContext.InstantTicks);
        e.HasOne<Consultation>().WithMany().HasForeignKey(p => p.ConsultationId);
    }
}

internal sealed class LiveExaminationPackageConfiguration : IEntityTypeConfiguration<Examination.LiveExaminationPackage>
{
    public void Configure(EntityTypeBuilder<Examination.LiveExaminationPackage> e)
    {
        e.ToTable("LiveExaminationPackages");
        e.HasKey(p => p.ConsultationId);
        e.Property(p => p.ComputedAt).HasConversion(ConsultationsDbContext.InstantTicks);
        e.HasOne<Consultation>().WithMany().HasForeignKey(p => p.ConsultationId);
    }
}
