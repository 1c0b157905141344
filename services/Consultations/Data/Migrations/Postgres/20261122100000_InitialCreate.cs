using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Wsis.Consultations.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class InitialCreate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "GroupMeetings",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    StartsOn = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    Venue = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_GroupMeetings", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "IdempotencyRecords",
                columns: table => new
                {
                    Key = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Operation = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    CallerSubject = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    ResponseType = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    ResponseBytes = table.Column<byte[]>(type: "bytea", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IdempotencyRecords", x => new { x.CallerSubject, x.Operation, x.Key });
                });

            migrationBuilder.CreateTable(
                name: "Consultations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    MeetingId = table.Column<Guid>(type: "uuid", nullable: false),
                    Title = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    IssueText = table.Column<string>(type: "text", nullable: false),
                    QuestionsJson = table.Column<string>(type: "text", nullable: false),
                    ClosesAt = table.Column<long>(type: "bigint", nullable: false),
                    Status = table.Column<int>(type: "integer", nullable: false),
                    RoutingCode = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    PublishedResponseCount = table.Column<int>(type: "integer", nullable: false),
                    OpenedAt = table.Column<long>(type: "bigint", nullable: false),
                    OpenedBySubject = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    OpenedByCountryCode = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    ClosedAt = table.Column<long>(type: "bigint", nullable: true),
                    ResponsesDigest = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    ExaminedAtMeetingId = table.Column<Guid>(type: "uuid", nullable: true),
                    ExaminedAt = table.Column<long>(type: "bigint", nullable: true),
                    ResultsSummary = table.Column<string>(type: "text", nullable: true),
                    ResultsPublishedAt = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Consultations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Consultations_GroupMeetings_MeetingId",
                        column: x => x.MeetingId,
                        principalTable: "GroupMeetings",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "Responses",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ConsultationId = table.Column<Guid>(type: "uuid", nullable: true),
                    TrackingNumber = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Channel = table.Column<int>(type: "integer", nullable: false),
                    ReceivedAt = table.Column<long>(type: "bigint", nullable: false),
                    Content = table.Column<byte[]>(type: "bytea", nullable: false),
                    Sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Text = table.Column<string>(type: "text", nullable: false),
                    Subject = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    RespondentName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    RespondentOrganisation = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    RespondentCategory = table.Column<int>(type: "integer", nullable: false),
                    RespondentCountryCode = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    RespondentEmail = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: false),
                    Late = table.Column<bool>(type: "boolean", nullable: false),
                    Published = table.Column<bool>(type: "boolean", nullable: false),
                    ProblemsJson = table.Column<string>(type: "text", nullable: false),
                    EnvelopeRecipient = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Responses", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Responses_Consultations_ConsultationId",
                        column: x => x.ConsultationId,
                        principalTable: "Consultations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "ResponseAttachments",
                columns: table => new
                {
                    ResponseId = table.Column<Guid>(type: "uuid", nullable: false),
                    Index = table.Column<int>(type: "integer", nullable: false),
                    FileName = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    MediaType = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    Size = table.Column<long>(type: "bigint", nullable: false),
                    Sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Content = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ResponseAttachments", x => new { x.ResponseId, x.Index });
                    table.ForeignKey(
                        name: "FK_ResponseAttachments_Responses_ResponseId",
                        column: x => x.ResponseId,
                        principalTable: "Responses",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Consultations_MeetingId",
                table: "Consultations",
                column: "MeetingId");

            migrationBuilder.CreateIndex(
                name: "IX_Consultations_RoutingCode",
                table: "Consultations",
                column: "RoutingCode",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Consultations_Status_ClosesAt",
                table: "Consultations",
                columns: new[] { "Status", "ClosesAt" });

            migrationBuilder.CreateIndex(
                name: "IX_GroupMeetings_StartsOn",
                table: "GroupMeetings",
                column: "StartsOn");

            migrationBuilder.CreateIndex(
                name: "IX_Responses_ConsultationId_Published_ReceivedAt",
                table: "Responses",
                columns: new[] { "ConsultationId", "Published", "ReceivedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Responses_TrackingNumber",
                table: "Responses",
                column: "TrackingNumber",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "IdempotencyRecords");

            migrationBuilder.DropTable(
                name: "ResponseAttachments");

            migrationBuilder.DropTable(
                name: "Responses");

            migrationBuilder.DropTable(
                name: "Consultations");

            migrationBuilder.DropTable(
                name: "GroupMeetings");
        }
    }
}
