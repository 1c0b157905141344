using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Data;

namespace Wsis.Consultations.Data.Migrations;

/// <summary>Issue 28: who did what to each consultation, and when, for the secretariat.</summary>
[DbContext(typeof(ConsultationsDbContext))]
[Migration("20261216000000_History")]
public sealed class HistoryTable : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.CreateHistoryTable();

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(HistoryRecords.TableName);
}
