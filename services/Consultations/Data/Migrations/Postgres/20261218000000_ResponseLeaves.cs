using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Wsis.Consultations.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ResponseLeaves : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ResponseLeaves",
                columns: table => new
                {
                    ResponseId = table.Column<Guid>(type: "uuid", nullable: false),
                    LogIndex = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ResponseLeaves", x => x.ResponseId);
                    table.ForeignKey(
                        name: "FK_ResponseLeaves_Responses_ResponseId",
                        column: x => x.ResponseId,
                        principalTable: "Responses",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // Every response already in a log keeps its index (written by hand: the generated
            // migration dropped the column without moving its values).
            migrationBuilder.Sql("""INSERT INTO "ResponseLeaves" ("ResponseId", "LogIndex") SELECT "Id", "LogIndex" FROM "Responses" WHERE "LogIndex" IS NOT NULL;""");

            migrationBuilder.DropIndex(
                name: "IX_Responses_ConsultationId_LogIndex",
                table: "Responses");

            migrationBuilder.DropColumn(
                name: "LogIndex",
                table: "Responses");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "LogIndex",
                table: "Responses",
                type: "bigint",
                nullable: true);

            migrationBuilder.Sql("""UPDATE "Responses" SET "LogIndex" = (SELECT l."LogIndex" FROM "ResponseLeaves" AS l WHERE l."ResponseId" = "Responses"."Id");""");

            migrationBuilder.CreateIndex(
                name: "IX_Responses_ConsultationId_LogIndex",
                table: "Responses",
                columns: new[] { "ConsultationId", "LogIndex" });

            migrationBuilder.DropTable(
                name: "ResponseLeaves");
        }
    }
}
