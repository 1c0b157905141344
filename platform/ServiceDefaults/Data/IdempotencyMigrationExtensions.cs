using Microsoft.EntityFrameworkCore.Migrations;

namespace Platform.Data;

/// <summary>The idempotency table for hand-written, provider-neutral migrations.</summary>
public static class IdempotencyMigrationExtensions
{
    public static void CreateIdempotencyRecords(this MigrationBuilder migrationBuilder)
    {
        // No column types: each provider picks its own for the CLR type (TEXT/BLOB on SQLite,
        // varchar/bytea/timestamptz on PostgreSQL), which keeps one migration for both.
        migrationBuilder.CreateTable(
            name: IdempotencyRecord.TableName,
            columns: table => new
            {
                CallerSubject = table.Column<string>(maxLength: IdempotencyRecord.NameMaxLength, nullable: false),
                Operation = table.Column<string>(maxLength: IdempotencyRecord.NameMaxLength, nullable: false),
                Key = table.Column<string>(maxLength: IdempotencyRecord.KeyMaxLength, nullable: false),
                ResponseType = table.Column<string>(maxLength: IdempotencyRecord.NameMaxLength, nullable: false),
                ResponseBytes = table.Column<byte[]>(nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(nullable: false),
            },
            constraints: table => table.PrimaryKey(
                "PK_" + IdempotencyRecord.TableName, r => new { r.CallerSubject, r.Operation, r.Key }));
    }

    /// <summary>The index on the request id alone (see <see cref="IdempotencyRecord.KeyIndexName"/>).</summary>
    public static void CreateIdempotencyKeyIndex(this MigrationBuilder migrationBuilder) =>
        migrationBuilder.CreateIndex(IdempotencyRecord.KeyIndexName, IdempotencyRecord.TableName, "Key");

    public static void DropIdempotencyKeyIndex(this MigrationBuilder migrationBuilder) =>
        migrationBuilder.DropIndex(IdempotencyRecord.KeyIndexName, IdempotencyRecord.TableName);

    public static void DropIdempotencyRecords(this MigrationBuilder migrationBuilder) =>
        migrationBuilder.DropTable(IdempotencyRecord.TableName);
}
