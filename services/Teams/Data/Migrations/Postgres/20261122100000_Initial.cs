using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Wsis.Teams.Data.Migrations.Postgres
{
    /// <summary>
    /// Generated, with the ids of the hand-written migrations they replace (this one and the next
    /// two), so a database those made finds only what it lacks pending, and a new one gets everything.
    /// </summary>
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "action_lines",
                columns: table => new
                {
                    Code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Title = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    ParentCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    SortOrder = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_action_lines", x => x.Code);
                });

            migrationBuilder.CreateTable(
                name: "coordinators_meetings",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    StartsAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Venue = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    ViceChairSeats = table.Column<int>(type: "integer", nullable: false),
                    ConvenedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ConvenedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    ElectionClosedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ElectionClosedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    ChairId = table.Column<Guid>(type: "uuid", nullable: true),
                    ImplementationFramework = table.Column<string>(type: "text", nullable: true),
                    ImplementationFrameworkVersion = table.Column<int>(type: "integer", nullable: false),
                    ImplementationFrameworkSetAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ImplementationFrameworkSetBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    Revision = table.Column<int>(type: "integer", nullable: false),
                    ChairTieIds = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    ViceChairIds = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    ViceChairTieIds = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_coordinators_meetings", x => x.Id);
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
                name: "InboxMessages",
                columns: table => new
                {
                    MessageId = table.Column<Guid>(type: "uuid", nullable: false),
                    Consumer = table.Column<string>(type: "text", nullable: false),
                    ReceivedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InboxMessages", x => new { x.MessageId, x.Consumer });
                });

            migrationBuilder.CreateTable(
                name: "OutboxMessages",
                columns: table => new
                {
                    Sequence = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    MessageId = table.Column<Guid>(type: "uuid", nullable: false),
                    MessageType = table.Column<string>(type: "text", nullable: false),
                    Payload = table.Column<string>(type: "text", nullable: false),
                    AggregateKey = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    SentAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    NextAttemptAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    LastError = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OutboxMessages", x => x.Sequence);
                });

            migrationBuilder.CreateTable(
                name: "stakeholders",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    Category = table.Column<int>(type: "integer", nullable: false),
                    CountryCode = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    ContactEmail = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false),
                    RegisteredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    RegisteredBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_stakeholders", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "teams",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ActionLineCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CreatedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Revision = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_teams", x => x.Id);
                    table.ForeignKey(
                        name: "FK_teams_action_lines_ActionLineCode",
                        column: x => x.ActionLineCode,
                        principalTable: "action_lines",
                        principalColumn: "Code",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "ballots",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Office = table.Column<int>(type: "integer", nullable: false),
                    TeamId = table.Column<Guid>(type: "uuid", nullable: false),
                    VoterId = table.Column<Guid>(type: "uuid", nullable: false),
                    CastAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CastBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    MeetingId = table.Column<Guid>(type: "uuid", nullable: false),
                    CandidateIds = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ballots", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ballots_coordinators_meetings_MeetingId",
                        column: x => x.MeetingId,
                        principalTable: "coordinators_meetings",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "funding_lines",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Funder = table.Column<int>(type: "integer", nullable: false),
                    AmountMinor = table.Column<long>(type: "bigint", nullable: false),
                    Currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    MeetingId = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_funding_lines", x => x.Id);
                    table.ForeignKey(
                        name: "FK_funding_lines_coordinators_meetings_MeetingId",
                        column: x => x.MeetingId,
                        principalTable: "coordinators_meetings",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "officer_nominations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Office = table.Column<int>(type: "integer", nullable: false),
                    StakeholderId = table.Column<Guid>(type: "uuid", nullable: false),
                    NominatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    NominatedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    MeetingId = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_officer_nominations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_officer_nominations_coordinators_meetings_MeetingId",
                        column: x => x.MeetingId,
                        principalTable: "coordinators_meetings",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "stocktaking_procedures",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Year = table.Column<int>(type: "integer", nullable: false),
                    ContributionDeadline = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Revision = table.Column<int>(type: "integer", nullable: false),
                    SetAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    SetBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    MeetingId = table.Column<Guid>(type: "uuid", nullable: false),
                    RequiredFields = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_stocktaking_procedures", x => x.Id);
                    table.ForeignKey(
                        name: "FK_stocktaking_procedures_coordinators_meetings_MeetingId",
                        column: x => x.MeetingId,
                        principalTable: "coordinators_meetings",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "coordination_modalities",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    Text = table.Column<string>(type: "text", nullable: false),
                    SetAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    SetBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    TeamId = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_coordination_modalities", x => x.Id);
                    table.ForeignKey(
                        name: "FK_coordination_modalities_teams_TeamId",
                        column: x => x.TeamId,
                        principalTable: "teams",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "coordinator_designations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    StakeholderId = table.Column<Guid>(type: "uuid", nullable: false),
                    Stage = table.Column<int>(type: "integer", nullable: false),
                    NominatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    NominatedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    RecommendedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    RecommendedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    MeetingReference = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    DesignatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    DesignatedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    DecisionReference = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    EndedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    SupersededBy = table.Column<Guid>(type: "uuid", nullable: true),
                    TeamId = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_coordinator_designations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_coordinator_designations_teams_TeamId",
                        column: x => x.TeamId,
                        principalTable: "teams",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "team_meetings",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TeamId = table.Column<Guid>(type: "uuid", nullable: false),
                    Title = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    StartsAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    EndsAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    VenueOrLink = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    Agenda = table.Column<string>(type: "text", nullable: true),
                    ScheduledAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ScheduledBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Revision = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_team_meetings", x => x.Id);
                    table.ForeignKey(
                        name: "FK_team_meetings_teams_TeamId",
                        column: x => x.TeamId,
                        principalTable: "teams",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "team_memberships",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    StakeholderId = table.Column<Guid>(type: "uuid", nullable: false),
                    JoinedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    JoinedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    LeftAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LeftBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    TeamId = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_team_memberships", x => x.Id);
                    table.ForeignKey(
                        name: "FK_team_memberships_teams_TeamId",
                        column: x => x.TeamId,
                        principalTable: "teams",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "meeting_registrations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    StakeholderId = table.Column<Guid>(type: "uuid", nullable: false),
                    RegisteredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    RegisteredBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    MeetingId = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_meeting_registrations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_meeting_registrations_team_meetings_MeetingId",
                        column: x => x.MeetingId,
                        principalTable: "team_meetings",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.InsertData(
                table: "action_lines",
                columns: new[] { "Code", "SortOrder", "ParentCode", "Title" },
                values: new object[,]
                {
                    { "C1", 1, null, "The role of public governance authorities and all stakeholders in the promotion of ICTs for development" },
                    { "C10", 18, null, "Ethical dimensions of the Information Society" },
                    { "C11", 19, null, "International and regional cooperation" },
                    { "C2", 2, null, "Information and communication infrastructure" },
                    { "C3", 3, null, "Access to information and knowledge" },
                    { "C4", 4, null, "Capacity building" },
                    { "C5", 5, null, "Building confidence and security in the use of ICTs" },
                    { "C6", 6, null, "Enabling environment" },
                    { "C7", 7, null, "ICT applications: benefits in all aspects of life" },
                    { "C7.E-AGRICULTURE", 14, "C7", "E-agriculture" },
                    { "C7.E-BUSINESS", 9, "C7", "E-business" },
                    { "C7.E-EMPLOYMENT", 12, "C7", "E-employment" },
                    { "C7.E-ENVIRONMENT", 13, "C7", "E-environment" },
                    { "C7.E-GOVERNMENT", 8, "C7", "E-government" },
                    { "C7.E-HEALTH", 11, "C7", "E-health" },
                    { "C7.E-LEARNING", 10, "C7", "E-learning" },
                    { "C7.E-SCIENCE", 15, "C7", "E-science" },
                    { "C8", 16, null, "Cultural diversity and identity, linguistic diversity and local content" },
                    { "C9", 17, null, "Media" }
                });

            migrationBuilder.CreateIndex(
                name: "IX_ballots_MeetingId_Office_TeamId",
                table: "ballots",
                columns: new[] { "MeetingId", "Office", "TeamId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_coordination_modalities_TeamId_Version",
                table: "coordination_modalities",
                columns: new[] { "TeamId", "Version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_coordinator_designations_in_force",
                table: "coordinator_designations",
                column: "TeamId",
                unique: true,
                filter: "\"Stage\" = 3");

            migrationBuilder.CreateIndex(
                name: "IX_funding_lines_MeetingId",
                table: "funding_lines",
                column: "MeetingId");

            migrationBuilder.CreateIndex(
                name: "IX_InboxMessages_ReceivedAt",
                table: "InboxMessages",
                column: "ReceivedAt");

            migrationBuilder.CreateIndex(
                name: "IX_meeting_registrations_MeetingId_StakeholderId",
                table: "meeting_registrations",
                columns: new[] { "MeetingId", "StakeholderId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_officer_nominations_MeetingId_Office_StakeholderId",
                table: "officer_nominations",
                columns: new[] { "MeetingId", "Office", "StakeholderId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessages_MessageId",
                table: "OutboxMessages",
                column: "MessageId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessages_SentAt",
                table: "OutboxMessages",
                column: "SentAt");

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessages_Unsent",
                table: "OutboxMessages",
                column: "Sequence",
                filter: "\"SentAt\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessages_Unsent_AggregateKey",
                table: "OutboxMessages",
                columns: new[] { "AggregateKey", "Sequence" },
                filter: "\"SentAt\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_stakeholders_Category",
                table: "stakeholders",
                column: "Category");

            migrationBuilder.CreateIndex(
                name: "IX_stakeholders_CountryCode",
                table: "stakeholders",
                column: "CountryCode");

            migrationBuilder.CreateIndex(
                name: "IX_stocktaking_procedures_MeetingId_Year",
                table: "stocktaking_procedures",
                columns: new[] { "MeetingId", "Year" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_team_meetings_TeamId",
                table: "team_meetings",
                column: "TeamId");

            migrationBuilder.CreateIndex(
                name: "IX_team_memberships_open",
                table: "team_memberships",
                columns: new[] { "TeamId", "StakeholderId" },
                unique: true,
                filter: "\"LeftAt\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_teams_ActionLineCode",
                table: "teams",
                column: "ActionLineCode",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ballots");

            migrationBuilder.DropTable(
                name: "coordination_modalities");

            migrationBuilder.DropTable(
                name: "coordinator_designations");

            migrationBuilder.DropTable(
                name: "funding_lines");

            migrationBuilder.DropTable(
                name: "IdempotencyRecords");

            migrationBuilder.DropTable(
                name: "InboxMessages");

            migrationBuilder.DropTable(
                name: "meeting_registrations");

            migrationBuilder.DropTable(
                name: "officer_nominations");

            migrationBuilder.DropTable(
                name: "OutboxMessages");

            migrationBuilder.DropTable(
                name: "stakeholders");

            migrationBuilder.DropTable(
                name: "stocktaking_procedures");

            migrationBuilder.DropTable(
                name: "team_memberships");

            migrationBuilder.DropTable(
                name: "team_meetings");

            migrationBuilder.DropTable(
                name: "coordinators_meetings");

            migrationBuilder.DropTable(
                name: "teams");

            migrationBuilder.DropTable(
                name: "action_lines");
        }
    }
}
