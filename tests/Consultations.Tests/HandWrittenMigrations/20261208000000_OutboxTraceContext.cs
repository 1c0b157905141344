using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Messaging;

namespace Wsis.Consultations.Tests.HandWrittenMigrations;

/// <summary>The outbox keeps the trace context an event was raised in, so its publish continues that trace (Platform.Messaging).</summary>
[DbContext(typeof(HandWrittenConsultationsDbContext))]
[Migration("20261208000000_OutboxTraceContext")]
internal sealed class OutboxTraceContext : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.AddOutboxTraceContext();

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropOutboxTraceContext();
}
