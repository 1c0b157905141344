using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Wsis.Consultations.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PublishedRecordsAndLog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "LogIndex",
                table: "Responses",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "PublishedRecord",
                table: "Responses",
                type: "bytea",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PublishedSha256",
                table: "Responses",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "LogCheckpoints",
                columns: table => new
                {
                    ConsultationId = table.Column<Guid>(type: "uuid", nullable: false),
                    Size = table.Column<long>(type: "bigint", nullable: false),
                    Root = table.Column<byte[]>(type: "bytea", nullable: false),
                    SignedAt = table.Column<long>(type: "bigint", nullable: false),
                    Text = table.Column<string>(type: "text", nullable: false),
                    Signature = table.Column<byte[]>(type: "bytea", nullable: false),
                    KeyId = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LogCheckpoints", x => new { x.ConsultationId, x.Size });
                });

            migrationBuilder.CreateTable(
                name: "LogHeads",
                columns: table => new
                {
                    ConsultationId = table.Column<Guid>(type: "uuid", nullable: false),
                    Size = table.Column<long>(type: "bigint", nullable: false),
                    Frontier = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LogHeads", x => x.ConsultationId);
                });

            migrationBuilder.CreateTable(
                name: "LogNodes",
                columns: table => new
                {
                    ConsultationId = table.Column<Guid>(type: "uuid", nullable: false),
                    Level = table.Column<int>(type: "integer", nullable: false),
                    Index = table.Column<long>(type: "bigint", nullable: false),
                    Hash = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LogNodes", x => new { x.ConsultationId, x.Level, x.Index });
                });

            migrationBuilder.CreateIndex(
                name: "IX_Responses_ConsultationId_LogIndex",
                table: "Responses",
                columns: new[] { "ConsultationId", "LogIndex" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "LogCheckpoints");

            migrationBuilder.DropTable(
                name: "LogHeads");

            migrationBuilder.DropTable(
                name: "LogNodes");

            migrationBuilder.DropIndex(
                name: "IX_Responses_ConsultationId_LogIndex",
                table: "Responses");

            migrationBuilder.DropColumn(
                name: "LogIndex",
                table: "Responses");

            migrationBuilder.DropColumn(
                name: "PublishedRecord",
                table: "Responses");

            migrationBuilder.DropColumn(
                name: "PublishedSha256",
                table: "Responses");
        }
    }
}
