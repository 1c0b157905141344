using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Messaging;

namespace Wsis.Consultations.Data.Migrations;

/// <summary>The outbox and inbox tables of Platform.Messaging (provider-neutral, as the platform writes them).</summary>
[DbContext(typeof(ConsultationsDbContext))]
[Migration("20261122110000_Messaging")]
public sealed class Messaging : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.CreateMessagingTables();

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropMessagingTables();
}
