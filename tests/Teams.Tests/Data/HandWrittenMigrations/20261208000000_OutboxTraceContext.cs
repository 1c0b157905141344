using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Messaging;

namespace Wsis.Teams.Tests.Data.HandWrittenMigrations;

/// <summary>The outbox keeps the trace context an event was raised in, so its publish continues that trace (Platform.Messaging).</summary>
[DbContext(typeof(HandWrittenTeamsDbContext))]
[Migration("20261208000000_OutboxTraceContext")]
internal sealed class OutboxTraceContext : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.AddOutboxTraceContext();

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropOutboxTraceContext();
}
