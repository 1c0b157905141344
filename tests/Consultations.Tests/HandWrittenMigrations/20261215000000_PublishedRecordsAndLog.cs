using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Wsis.Consultations.Tests.HandWrittenMigrations;

/// <summary>
/// Issue 26: each response's published record and published hash, its leaf index in its
/// consultation's log, and the log's tables (head with its frontier, complete subtrees, signed
/// checkpoints). Provider-neutral like the first schema: no column types.
/// </summary>
[DbContext(typeof(HandWrittenConsultationsDbContext))]
[Migration("20261215000000_PublishedRecordsAndLog")]
internal sealed class PublishedRecordsAndLog : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<byte[]>("PublishedRecord", "Responses", nullable: true);
        migrationBuilder.AddColumn<string>("PublishedSha256", "Responses", maxLength: 64, nullable: true);
        migrationBuilder.AddColumn<long>("LogIndex", "Responses", nullable: true);
        migrationBuilder.CreateIndex("IX_Responses_ConsultationId_LogIndex", "Responses", ["ConsultationId", "LogIndex"]);

        migrationBuilder.CreateTable(
            name: "LogHeads",
            columns: table => new
            {
                ConsultationId = table.Column<Guid>(nullable: false),
                Size = table.Column<long>(nullable: false),
                Frontier = table.Column<byte[]>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_LogHeads", h => h.ConsultationId));

        migrationBuilder.CreateTable(
            name: "LogNodes",
            columns: table => new
            {
                ConsultationId = table.Column<Guid>(nullable: false),
                Level = table.Column<int>(nullable: false),
                Index = table.Column<long>(nullable: false),
                Hash = table.Column<byte[]>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_LogNodes", n => new { n.ConsultationId, n.Level, n.Index }));

        migrationBuilder.CreateTable(
            name: "LogCheckpoints",
            columns: table => new
            {
                ConsultationId = table.Column<Guid>(nullable: false),
                Size = table.Column<long>(nullable: false),
                Root = table.Column<byte[]>(nullable: false),
                SignedAt = table.Column<long>(nullable: false),
                Text = table.Column<string>(nullable: false),
                Signature = table.Column<byte[]>(nullable: false),
                KeyId = table.Column<string>(maxLength: 16, nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_LogCheckpoints", c => new { c.ConsultationId, c.Size }));
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("LogCheckpoints");
        migrationBuilder.DropTable("LogNodes");
        migrationBuilder.DropTable("LogHeads");
        migrationBuilder.DropIndex("IX_Responses_ConsultationId_LogIndex", "Responses");
        migrationBuilder.DropColumn("LogIndex", "Responses");
        migrationBuilder.DropColumn("PublishedSha256", "Responses");
        migrationBuilder.DropColumn("PublishedRecord", "Responses");
    }
}
