using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Wsis.Consultations.Data.Migrations.Sqlite
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
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "PublishedRecord",
                table: "Responses",
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PublishedSha256",
                table: "Responses",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "LogCheckpoints",
                columns: table => new
                {
                    ConsultationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Size = table.Column<long>(type: "INTEGER", nullable: false),
                    Root = table.Column<byte[]>(type: "BLOB", nullable: false),
                    SignedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Text = table.Column<string>(type: "TEXT", nullable: false),
                    Signature = table.Column<byte[]>(type: "BLOB", nullable: false),
                    KeyId = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LogCheckpoints", x => new { x.ConsultationId, x.Size });
                });

            migrationBuilder.CreateTable(
                name: "LogHeads",
                columns: table => new
                {
                    ConsultationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Size = table.Column<long>(type: "INTEGER", nullable: false),
                    Frontier = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LogHeads", x => x.ConsultationId);
                });

            migrationBuilder.CreateTable(
                name: "LogNodes",
                columns: table => new
                {
                    ConsultationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Level = table.Column<int>(type: "INTEGER", nullable: false),
                    Index = table.Column<long>(type: "INTEGER", nullable: false),
                    Hash = table.Column<byte[]>(type: "BLOB", nullable: false)
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
