using Microsoft.EntityFrameworkCore;

namespace Platform.Data;

/// <summary>
/// The response a create operation gave for a caller's <c>request_id</c>, kept so that a retry
/// with the same id gets the same answer instead of a second creation.
/// </summary>
public sealed class IdempotencyRecord
{
    public const string TableName = "IdempotencyRecords";
    public const int KeyMaxLength = 128;
    public const int NameMaxLength = 200;

    /// <summary>
    /// The index on <see cref="Key"/> alone, for looking up a batch's request ids at once
    /// (<see cref="IdempotencyStore.FindManyAsync"/>). The primary key leads with the caller and
    /// the operation, which most rows share (one partner submitting thousands of responses), so
    /// it cannot find a batch of request ids without walking all of that caller's records.
    /// </summary>
    public const string KeyIndexName = "IX_IdempotencyRecords_Key";

    /// <summary>The caller's <c>request_id</c>.</summary>
    public required string Key { get; init; }

    /// <summary>The operation, e.g. <c>teams.v1.Teams/CreateTeam</c>: the same id on two operations does not collide.</summary>
    public required string Operation { get; init; }

    /// <summary>The caller's <c>sub</c> (empty for anonymous callers): two callers' ids never collide.</summary>
    public required string CallerSubject { get; init; }

    /// <summary>Full protobuf name of the stored response message.</summary>
    public required string ResponseType { get; init; }

    /// <summary>The serialized protobuf response.</summary>
    public required byte[] ResponseBytes { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
}

public static class IdempotencyModelBuilderExtensions
{
    /// <summary>
    /// Maps <see cref="IdempotencyRecord"/> to the table <see cref="IdempotencyRecord.TableName"/>
    /// with the primary key (CallerSubject, Operation, Key): the database itself refuses a
    /// second record for the same request, which is what makes concurrent retries safe.
    /// Create the table in a migration with <c>migrationBuilder.CreateIdempotencyRecords()</c>
    /// and its index on the request id with <c>migrationBuilder.CreateIdempotencyKeyIndex()</c>.
    /// </summary>
    public static ModelBuilder AddIdempotencyRecords(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<IdempotencyRecord>(e =>
        {
            e.ToTable(IdempotencyRecord.TableName);
            e.HasKey(r => new { r.CallerSubject, r.Operation, r.Key });
            e.HasIndex(r => r.Key).HasDatabaseName(IdempotencyRecord.KeyIndexName);
            e.Property(r => r.Key).HasMaxLength(IdempotencyRecord.KeyMaxLength);
            e.Property(r => r.Operation).HasMaxLength(IdempotencyRecord.NameMaxLength);
            e.Property(r => r.CallerSubject).HasMaxLength(IdempotencyRecord.NameMaxLength);
            e.Property(r => r.ResponseType).HasMaxLength(IdempotencyRecord.NameMaxLength);
        });
        return modelBuilder;
    }
}
