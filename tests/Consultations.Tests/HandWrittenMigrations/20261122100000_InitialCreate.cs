using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Data;
using Wsis.Consultations.Data;

namespace Wsis.Consultations.Tests.HandWrittenMigrations;

/// <summary>
/// The first schema, written by hand and provider-neutral: no column types, so SQLite and
/// PostgreSQL each choose theirs for the CLR type (instants are 64-bit Unix ticks, dates ISO text,
/// raw messages and attachments binary: BLOB / bytea).
/// </summary>
[DbContext(typeof(HandWrittenConsultationsDbContext))]
[Migration("20261122100000_InitialCreate")]
internal sealed class InitialCreate : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "GroupMeetings",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                StartsOn = table.Column<string>(maxLength: 10, nullable: false),
                Venue = table.Column<string>(maxLength: ConsultationsDbContext.Limits.Venue, nullable: false),
                CreatedAt = table.Column<long>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_GroupMeetings", m => m.Id));
        migrationBuilder.CreateIndex("IX_GroupMeetings_StartsOn", "GroupMeetings", "StartsOn");

        migrationBuilder.CreateTable(
            name: "Consultations",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                MeetingId = table.Column<Guid>(nullable: false),
                Title = table.Column<string>(maxLength: ConsultationsDbContext.Limits.Title, nullable: false),
                IssueText = table.Column<string>(nullable: false),
                QuestionsJson = table.Column<string>(nullable: false),
                ClosesAt = table.Column<long>(nullable: false),
                Status = table.Column<int>(nullable: false),
                RoutingCode = table.Column<string>(maxLength: 16, nullable: false),
                PublishedResponseCount = table.Column<int>(nullable: false),
                OpenedAt = table.Column<long>(nullable: false),
                OpenedBySubject = table.Column<string>(maxLength: 200, nullable: false),
                OpenedByCountryCode = table.Column<string>(maxLength: 2, nullable: false),
                ClosedAt = table.Column<long>(nullable: true),
                ResponsesDigest = table.Column<string>(maxLength: 64, nullable: true),
                ExaminedAtMeetingId = table.Column<Guid>(nullable: true),
                ExaminedAt = table.Column<long>(nullable: true),
                ResultsSummary = table.Column<string>(nullable: true),
                ResultsPublishedAt = table.Column<long>(nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Consultations", c => c.Id);
                table.ForeignKey("FK_Consultations_GroupMeetings_MeetingId", c => c.MeetingId, "GroupMeetings", "Id", onDelete: ReferentialAction.Restrict);
            });
        migrationBuilder.CreateIndex("IX_Consultations_RoutingCode", "Consultations", "RoutingCode", unique: true);
        migrationBuilder.CreateIndex("IX_Consultations_Status_ClosesAt", "Consultations", ["Status", "ClosesAt"]);
        migrationBuilder.CreateIndex("IX_Consultations_MeetingId", "Consultations", "MeetingId");

        migrationBuilder.CreateTable(
            name: "Responses",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                ConsultationId = table.Column<Guid>(nullable: true),
                TrackingNumber = table.Column<string>(maxLength: 32, nullable: false),
                Channel = table.Column<int>(nullable: false),
                ReceivedAt = table.Column<long>(nullable: false),
                Content = table.Column<byte[]>(nullable: false),
                Sha256 = table.Column<string>(maxLength: 64, nullable: false),
                Text = table.Column<string>(nullable: false),
                Subject = table.Column<string>(maxLength: 2000, nullable: false),
                RespondentName = table.Column<string>(maxLength: ConsultationsDbContext.Limits.Name, nullable: false),
                RespondentOrganisation = table.Column<string>(maxLength: ConsultationsDbContext.Limits.Organisation, nullable: false),
                RespondentCategory = table.Column<int>(nullable: false),
                RespondentCountryCode = table.Column<string>(maxLength: 2, nullable: false),
                RespondentEmail = table.Column<string>(maxLength: ConsultationsDbContext.Limits.Email, nullable: false),
                Late = table.Column<bool>(nullable: false),
                Published = table.Column<bool>(nullable: false),
                ProblemsJson = table.Column<string>(nullable: false),
                EnvelopeRecipient = table.Column<string>(maxLength: ConsultationsDbContext.Limits.Email, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Responses", r => r.Id);
                table.ForeignKey("FK_Responses_Consultations_ConsultationId", r => r.ConsultationId, "Consultations", "Id", onDelete: ReferentialAction.Restrict);
            });
        migrationBuilder.CreateIndex("IX_Responses_TrackingNumber", "Responses", "TrackingNumber", unique: true);
        migrationBuilder.CreateIndex("IX_Responses_ConsultationId_Published_ReceivedAt", "Responses", ["ConsultationId", "Published", "ReceivedAt"]);

        migrationBuilder.CreateTable(
            name: "ResponseAttachments",
            columns: table => new
            {
                ResponseId = table.Column<Guid>(nullable: false),
                Index = table.Column<int>(nullable: false),
                FileName = table.Column<string>(maxLength: ConsultationsDbContext.Limits.FileName, nullable: false),
                MediaType = table.Column<string>(maxLength: ConsultationsDbContext.Limits.MediaType, nullable: false),
                Size = table.Column<long>(nullable: false),
                Sha256 = table.Column<string>(maxLength: 64, nullable: false),
                Content = table.Column<byte[]>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ResponseAttachments", a => new { a.ResponseId, a.Index });
                table.ForeignKey("FK_ResponseAttachments_Responses_ResponseId", a => a.ResponseId, "Responses", "Id", onDelete: ReferentialAction.Restrict);
            });

        migrationBuilder.CreateIdempotencyRecords();
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIdempotencyRecords();
        migrationBuilder.DropTable("ResponseAttachments");
        migrationBuilder.DropTable("Responses");
        migrationBuilder.DropTable("Consultations");
        migrationBuilder.DropTable("GroupMeetings");
    }
}
