using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Wsis.Reporting.Model;

namespace Wsis.Reporting.Data.EntityConfigurations;

// The read models fed by Teams' and Consultations' events (IntegrationEvents/ReadModelProjection).

/// <summary>
/// Read-model rows carry a version, a concurrency token: two deliveries about the same row handled at
/// once cannot both save on a stale copy (the loser retries on the fresh row, so last-writer-wins by
/// occurrence holds under concurrency too). The column's default of 0 is the first migration's (rows
/// had no version before); the service always writes the version itself, so it is not a value the
/// database generates.
/// </summary>
internal static class ReadModelRow
{
    public static void Versioned<T>(EntityTypeBuilder<T> e)
        where T : class =>
        e.Property<int>(ReportingDbContext.RowVersion).IsConcurrencyToken().HasDefaultValue(0).ValueGeneratedNever();
}

internal sealed class StakeholderRecordConfiguration : IEntityTypeConfiguration<StakeholderRecord>
{
    public void Configure(EntityTypeBuilder<StakeholderRecord> e)
    {
        ReadModelRow.Versioned(e);
        e.ToTable("Stakeholders");
        e.HasKey(x => x.StakeholderId);
        e.Property(x => x.StakeholderId).HasMaxLength(ReportingDbContext.IdLength);
        e.Property(x => x.Name).HasMaxLength(500);
        e.Property(x => x.Category).HasConversion<string>().HasMaxLength(ReportingDbContext.CodeLength * 2);
        e.Property(x => x.CountryCode).HasMaxLength(2);
    }
}

internal sealed class TeamCoordinationConfiguration : IEntityTypeConfiguration<TeamCoordination>
{
    public void Configure(EntityTypeBuilder<TeamCoordination> e)
    {
        ReadModelRow.Versioned(e);
        e.ToTable("TeamCoordinations");
        e.HasKey(x => x.TeamId);
        e.Property(x => x.TeamId).HasMaxLength(ReportingDbContext.IdLength);
        e.Property(x => x.ActionLineCode).HasMaxLength(ReportingDbContext.CodeLength);
        e.Property(x => x.CoordinatorId).HasMaxLength(ReportingDbContext.IdLength);
        e.Property(x => x.DecisionReference).HasMaxLength(500);
    }
}

internal sealed class CoordinatorsMeetingRecordConfiguration : IEntityTypeConfiguration<CoordinatorsMeetingRecord>
{
    public void Configure(EntityTypeBuilder<CoordinatorsMeetingRecord> e)
    {
        ReadModelRow.Versioned(e);
        e.ToTable("CoordinatorsMeetings");
        e.HasKey(x => x.MeetingId);
        e.Property(x => x.MeetingId).HasMaxLength(ReportingDbContext.IdLength);
        e.Property(x => x.ChairId).HasMaxLength(ReportingDbContext.IdLength);
        e.Property(x => x.ViceChairIds).HasConversion(JsonColumns.List<string>(), JsonColumns.ListComparer<string>());
        e.Ignore(x => x.HasOfficers);
    }
}

internal sealed class StocktakingProcedureConfiguration : IEntityTypeConfiguration<StocktakingProcedure>
{
    public void Configure(EntityTypeBuilder<StocktakingProcedure> e)
    {
        ReadModelRow.Versioned(e);
        e.ToTable("StocktakingProcedures");
        e.HasKey(x => x.Year);
        e.Property(x => x.Year).ValueGeneratedNever();
        e.Property(x => x.MeetingId).HasMaxLength(ReportingDbContext.IdLength);
        e.Property(x => x.RequiredFields).HasConversion(JsonColumns.List<string>(), JsonColumns.ListComparer<string>());
    }
}

internal sealed class ConsultationRecordConfiguration : IEntityTypeConfiguration<ConsultationRecord>
{
    public void Configure(EntityTypeBuilder<ConsultationRecord> e)
    {
        ReadModelRow.Versioned(e);
        e.ToTable("Consultations");
        e.HasKey(x => x.ConsultationId);
        e.Property(x => x.ConsultationId).HasMaxLength(ReportingDbContext.IdLength);
        e.Property(x => x.Title).HasMaxLength(1000);
        e.Property(x => x.ResponsesDigest).HasMaxLength(128);
        e.Property(x => x.CategoryCountsAtClose).HasConversion(JsonColumns.List<CountBy>(), JsonColumns.ListComparer<CountBy>());
        e.Ignore(x => x.Period);
    }
}

internal sealed class ConsultationResponseRecordConfiguration : IEntityTypeConfiguration<ConsultationResponseRecord>
{
    public void Configure(EntityTypeBuilder<ConsultationResponseRecord> e)
    {
        e.ToTable("ConsultationResponses");
        e.HasKey(x => x.ResponseId);
        e.Property(x => x.ResponseId).HasMaxLength(ReportingDbContext.IdLength);
        e.Property(x => x.ConsultationId).HasMaxLength(ReportingDbContext.IdLength);
        e.Property(x => x.Category).HasConversion<string>().HasMaxLength(ReportingDbContext.CodeLength * 2);
        e.Property(x => x.Channel).HasConversion<string>().HasMaxLength(ReportingDbContext.CodeLength);
        e.Property(x => x.CountryCode).HasMaxLength(2);
        e.HasIndex(x => x.ConsultationId);
    }
}
