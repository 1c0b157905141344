using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Wsis.Consultations.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class StoredExaminationPackages : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ExaminationPackages",
                columns: table => new
                {
                    ConsultationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Size = table.Column<int>(type: "INTEGER", nullable: false),
                    ResponsesDigest = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Format = table.Column<int>(type: "INTEGER", nullable: false),
                    Content = table.Column<byte[]>(type: "BLOB", nullable: false),
                    ComputedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ComputeMilliseconds = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ExaminationPackages", x => x.ConsultationId);
                    table.ForeignKey(
                        name: "FK_ExaminationPackages_Consultations_ConsultationId",
                        column: x => x.ConsultationId,
                        principalTable: "Consultations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ExaminationPackages");
        }
    }
}
