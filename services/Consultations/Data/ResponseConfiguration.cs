using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Wsis.Consultations.Model;

namespace Wsis.Consultations.Data;

internal sealed class ResponseConfiguration : IEntityTypeConfiguration<Response>
{
    /// <summary>The table holding each logged response's <see cref="Response.Leaf"/> (columns <c>ResponseId</c>, <c>LogIndex</c>); no row while a response is not in a log.</summary>
    public const string ResponseLeaves = "ResponseLeaves";

    public void Configure(EntityTypeBuilder<Response> e)
    {
        e.ToTable("Responses");
        e.HasKey(r => r.Id);
        e.Property(r => r.TrackingNumber).HasMaxLength(32);
        e.Property(r => r.Channel).HasConversion<int>();
        e.Property(r => r.ReceivedAt).HasConversion(ConsultationsDbContext.InstantTicks);
        e.Property(r => r.Sha256).HasMaxLength(64);
        e.Property(r => r.Subject).HasMaxLength(Response.SubjectMax);
        e.Property(r => r.RespondentName).HasMaxLength(Respondent.NameMax);
        e.Property(r => r.RespondentOrganisation).HasMaxLength(Respondent.OrganisationMax);
        e.Property(r => r.RespondentCategory).HasConversion<int>();
        e.Property(r => r.RespondentCountryCode).HasMaxLength(2);
        e.Property(r => r.RespondentEmail).HasMaxLength(Respondent.EmailMax);
        e.Property(r => r.EnvelopeRecipient).HasMaxLength(Respondent.EmailMax);
        e.Property(r => r.PublishedSha256).HasMaxLength(64);
        e.Property(r => r.DkimResult).HasConversion<int>();
        e.Property(r => r.DkimDomain).HasMaxLength(SenderVerification.DomainMax);
        // The log index lives in a narrow table of its own: the intake inserts the (heavy, full-text
        // indexed) response rows before it locks the consultation's log head and only these rows, the
        // log's nodes and its checkpoint while it holds it (IntakeWriter), so two instances' batches
        // wait for each other only for those.
        e.Ignore(r => r.LogIndex);
        e.OwnsOne(r => r.Leaf, leaf =>
        {
            leaf.ToTable(ResponseLeaves);
            leaf.WithOwner().HasForeignKey("ResponseId");
            leaf.HasKey("ResponseId");
            leaf.Property(l => l.Index).HasColumnName("LogIndex");
        });
        e.Property(r => r.Problems).HasColumnName("ProblemsJson")
            .HasConversion(ConsultationsDbContext.JsonTexts, ConsultationsDbContext.JsonTextsComparer);
        e.HasIndex(r => r.TrackingNumber).IsUnique();
        e.HasIndex(r => new { r.ConsultationId, r.Published, r.ReceivedAt });
        e.HasOne<Consultation>().WithMany().HasForeignKey(r => r.ConsultationId).OnDelete(DeleteBehavior.Restrict);
        e.HasMany(r => r.Attachments).WithOne().HasForeignKey(a => a.ResponseId).OnDelete(DeleteBehavior.Restrict);
        e.Navigation(r => r.Attachments).UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}

internal sealed class ResponseAttachmentConfiguration : IEntityTypeConfiguration<ResponseAttachment>
{
    public void Configure(EntityTypeBuilder<ResponseAttachment> e)
    {
        e.ToTable("ResponseAttachments");
        e.HasKey(a => new { a.ResponseId, a.Index });
        e.Property(a => a.FileName).HasMaxLength(Response.FileNameMax);
        e.Property(a => a.MediaType).HasMaxLength(Response.MediaTypeMax);
        e.Property(a => a.Sha256).HasMaxLength(64);
    }
}

internal sealed class LogHeadConfiguration : IEntityTypeConfiguration<LogHead>
{
    public void Configure(EntityTypeBuilder<LogHead> e)
    {
        e.ToTable("LogHeads");
        e.HasKey(h => h.ConsultationId);
    }
}

internal sealed class LogNodeConfiguration : IEntityTypeConfiguration<LogNode>
{
    public void Configure(EntityTypeBuilder<LogNode> e)
    {
        e.ToTable("LogNodes");
        e.HasKey(n => new { n.ConsultationId, n.Level, n.Index });
    }
}

internal sealed class LogCheckpointConfiguration : IEntityTypeConfiguration<LogCheckpoint>
{
    public void Configure(EntityTypeBuilder<LogCheckpoint> e)
    {
        e.ToTable("LogCheckpoints");
        e.HasKey(c => new { c.ConsultationId, c.Size });
        e.Property(c => c.SignedAt).HasConversion(ConsultationsDbContext.InstantTicks);
        e.Property(c => c.KeyId).HasMaxLength(16);
    }
}
