using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Data;
using Platform.Messaging;
using Wsis.Reporting.Data;

namespace Wsis.Reporting.Tests.HandWrittenMigrations;

/// <summary>
/// The first schema of Reporting, written by hand (dotnet-ef cannot be restored here) and
/// provider-neutral: no column types, so SQLite and PostgreSQL each pick theirs for the CLR type.
/// </summary>
[DbContext(typeof(HandWrittenReportingDbContext))]
[Migration("20261122100000_Initial")]
internal sealed class InitialMigration : Migration
{
    private const int Id = ReportingDbContext.IdLength;
    private const int Code = ReportingDbContext.CodeLength;

    protected override void Up(MigrationBuilder m)
    {
        m.CreateIdempotencyRecords();
        m.CreateMessagingTables();

        m.CreateTable("Stakeholders", t => new
        {
            StakeholderId = t.Column<string>(maxLength: Id, nullable: false),
            Name = t.Column<string>(maxLength: 500, nullable: false),
            Category = t.Column<string>(maxLength: Code * 2, nullable: false),
            CountryCode = t.Column<string>(maxLength: 2, nullable: true),
            RevisionAt = t.Column<DateTimeOffset>(nullable: false),
            RevisionEventId = t.Column<Guid>(nullable: false),
            Version = t.Column<int>(nullable: false, defaultValue: 0),
        }, constraints: t => t.PrimaryKey("PK_Stakeholders", x => x.StakeholderId));

        m.CreateTable("TeamCoordinations", t => new
        {
            TeamId = t.Column<string>(maxLength: Id, nullable: false),
            ActionLineCode = t.Column<string>(maxLength: Code, nullable: true),
            CoordinatorId = t.Column<string>(maxLength: Id, nullable: true),
            DecisionReference = t.Column<string>(maxLength: 500, nullable: true),
            DesignatedAt = t.Column<DateTimeOffset>(nullable: true),
            DesignationEventId = t.Column<Guid>(nullable: true),
            Version = t.Column<int>(nullable: false, defaultValue: 0),
        }, constraints: t => t.PrimaryKey("PK_TeamCoordinations", x => x.TeamId));

        m.CreateTable("CoordinatorsMeetings", t => new
        {
            MeetingId = t.Column<string>(maxLength: Id, nullable: false),
            StartsAt = t.Column<DateTimeOffset>(nullable: true),
            ChairId = t.Column<string>(maxLength: Id, nullable: true),
            ViceChairIds = t.Column<string>(nullable: false),
            ElectedAt = t.Column<DateTimeOffset>(nullable: true),
            ElectionEventId = t.Column<Guid>(nullable: true),
            Version = t.Column<int>(nullable: false, defaultValue: 0),
        }, constraints: t => t.PrimaryKey("PK_CoordinatorsMeetings", x => x.MeetingId));

        m.CreateTable("StocktakingProcedures", t => new
        {
            Year = t.Column<int>(nullable: false),
            MeetingId = t.Column<string>(maxLength: Id, nullable: false),
            ContributionDeadline = t.Column<DateTimeOffset>(nullable: false),
            RequiredFields = t.Column<string>(nullable: false),
            SetAt = t.Column<DateTimeOffset>(nullable: false),
            SetEventId = t.Column<Guid>(nullable: false),
            Version = t.Column<int>(nullable: false, defaultValue: 0),
        }, constraints: t => t.PrimaryKey("PK_StocktakingProcedures", x => x.Year));

        m.CreateTable("Consultations", t => new
        {
            ConsultationId = t.Column<string>(maxLength: Id, nullable: false),
            Title = t.Column<string>(maxLength: 1000, nullable: true),
            OpenedAt = t.Column<DateTimeOffset>(nullable: true),
            ResponseDeadline = t.Column<DateTimeOffset>(nullable: true),
            ClosedAt = t.Column<DateTimeOffset>(nullable: true),
            ResponseCountAtClose = t.Column<int>(nullable: true),
            CategoryCountsAtClose = t.Column<string>(nullable: false),
            ResponsesDigest = t.Column<string>(maxLength: 128, nullable: true),
            ResultsPublishedAt = t.Column<DateTimeOffset>(nullable: true),
            ResultsSummary = t.Column<string>(nullable: true),
            Version = t.Column<int>(nullable: false, defaultValue: 0),
        }, constraints: t => t.PrimaryKey("PK_Consultations", x => x.ConsultationId));

        m.CreateTable("ConsultationResponses", t => new
        {
            ResponseId = t.Column<string>(maxLength: Id, nullable: false),
            ConsultationId = t.Column<string>(maxLength: Id, nullable: false),
            Category = t.Column<string>(maxLength: Code * 2, nullable: false),
            CountryCode = t.Column<string>(maxLength: 2, nullable: true),
            Channel = t.Column<string>(maxLength: Code, nullable: false),
            PublishedAt = t.Column<DateTimeOffset>(nullable: false),
        }, constraints: t => t.PrimaryKey("PK_ConsultationResponses", x => x.ResponseId));
        m.CreateIndex("IX_ConsultationResponses_ConsultationId", "ConsultationResponses", "ConsultationId");

        m.CreateTable("Contributions", t => new
        {
            ContributionId = t.Column<Guid>(nullable: false),
            TeamId = t.Column<string>(maxLength: Id, nullable: false),
            ActionLineCode = t.Column<string>(maxLength: Code, nullable: false),
            Year = t.Column<int>(nullable: false),
            CoordinatorId = t.Column<string>(maxLength: Id, nullable: false),
            SubmittedAt = t.Column<DateTimeOffset>(nullable: false),
        }, constraints: t => t.PrimaryKey("PK_Contributions", x => x.ContributionId));
        m.CreateIndex("IX_Contributions_Year_TeamId", "Contributions", ["Year", "TeamId"]);

        m.CreateTable("InventoryEntries", t => new
        {
            EntryId = t.Column<Guid>(nullable: false),
            ContributionId = t.Column<Guid>(nullable: false),
            TeamId = t.Column<string>(maxLength: Id, nullable: false),
            Year = t.Column<int>(nullable: false),
            Position = t.Column<int>(nullable: false),
            Title = t.Column<string>(maxLength: 300, nullable: false),
            Description = t.Column<string>(maxLength: 10_000, nullable: false),
            ActionLineCodes = t.Column<string>(nullable: false),
            CountryCodes = t.Column<string>(nullable: false),
            StakeholderId = t.Column<string>(maxLength: Id, nullable: true),
            Url = t.Column<string>(maxLength: 2_000, nullable: true),
            Status = t.Column<string>(maxLength: Code, nullable: false),
            SubmittedAt = t.Column<DateTimeOffset>(nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_InventoryEntries", x => x.EntryId);
            t.ForeignKey("FK_InventoryEntries_Contributions_ContributionId", x => x.ContributionId,
                "Contributions", "ContributionId", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("IX_InventoryEntries_ContributionId", "InventoryEntries", "ContributionId");
        m.CreateIndex("IX_InventoryEntries_Year", "InventoryEntries", "Year");

        m.CreateTable("NationalReports", t => new
        {
            NationalReportId = t.Column<Guid>(nullable: false),
            CountryCode = t.Column<string>(maxLength: 2, nullable: false),
            Year = t.Column<int>(nullable: false),
            Text = t.Column<string>(nullable: false),
            Activities = t.Column<string>(nullable: false),
            SubmittedBy = t.Column<string>(maxLength: 200, nullable: false),
            SubmittedAt = t.Column<DateTimeOffset>(nullable: false),
        }, constraints: t => t.PrimaryKey("PK_NationalReports", x => x.NationalReportId));
        m.CreateIndex("IX_NationalReports_CountryCode_Year", "NationalReports", ["CountryCode", "Year"], unique: true);

        m.CreateTable("Reports", t => new
        {
            ReportId = t.Column<Guid>(nullable: false),
            PeriodStart = t.Column<DateTimeOffset>(nullable: false),
            PeriodEnd = t.Column<DateTimeOffset>(nullable: false),
            CompiledAt = t.Column<DateTimeOffset>(nullable: false),
            CompiledBy = t.Column<string>(maxLength: 200, nullable: false),
            Title = t.Column<string>(maxLength: 300, nullable: false),
            Content = t.Column<string>(nullable: false),
            State = t.Column<string>(maxLength: Code, nullable: false),
            ContentHash = t.Column<string>(maxLength: 64, nullable: true),
            SubmittedAt = t.Column<DateTimeOffset>(nullable: true),
            SubmittedBy = t.Column<string>(maxLength: Id, nullable: true),
            TransmissionReference = t.Column<string>(maxLength: 200, nullable: true),
            TransmittedAt = t.Column<DateTimeOffset>(nullable: true),
        }, constraints: t => t.PrimaryKey("PK_Reports", x => x.ReportId));
    }

    protected override void Down(MigrationBuilder m)
    {
        foreach (var table in new[] { "Reports", "NationalReports", "InventoryEntries", "Contributions", "ConsultationResponses",
                     "Consultations", "StocktakingProcedures", "CoordinatorsMeetings", "TeamCoordinations", "Stakeholders" })
        {
            m.DropTable(table);
        }

        m.DropIdempotencyRecords();
        m.DropMessagingTables();
    }
}
