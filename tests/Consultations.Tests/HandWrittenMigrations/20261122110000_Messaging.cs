using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Messaging;

namespace Wsis.Consultations.Tests.HandWrittenMigrations;

/// <summary>The outbox and inbox tables of Platform.Messaging (provider-neutral, as the platform writes them).</summary>
[DbContext(typeof(HandWrittenConsultationsDbContext))]
[Migration("20261122110000_Messaging")]
internal sealed class Messaging : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.CreateMessagingTables();

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropMessagingTables();
}
