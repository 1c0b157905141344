using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Data;

namespace Wsis.Consultations.Tests.HandWrittenMigrations;

/// <summary>An index on the idempotency records' request id, for the batch look-up (see <see cref="IdempotencyRecord.KeyIndexName"/>).</summary>
[DbContext(typeof(HandWrittenConsultationsDbContext))]
[Migration("20261122170000_IdempotencyKeyIndex")]
internal sealed class IdempotencyKeyIndex : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.CreateIdempotencyKeyIndex();

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropIdempotencyKeyIndex();
}
