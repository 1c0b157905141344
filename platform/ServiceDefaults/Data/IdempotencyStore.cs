using Google.Protobuf;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Platform.Security;

namespace Platform.Data;

/// <summary>
/// Identifies one create request: the caller's <c>request_id</c>, the operation and the caller.
/// </summary>
public sealed record IdempotencyKey
{
    public IdempotencyKey(string requestId, string operation, string callerSubject)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(requestId);
        ArgumentException.ThrowIfNullOrWhiteSpace(operation);
        ArgumentNullException.ThrowIfNull(callerSubject);
        RequestId = requestId;
        Operation = operation;
        CallerSubject = callerSubject;
    }

    public string RequestId { get; }

    public string Operation { get; }

    public string CallerSubject { get; }

    /// <summary>
    /// The key for an optional <c>request_id</c>: null when the request carries none (the
    /// operation then simply runs). Anonymous callers share the empty subject.
    /// Throws <see cref="ArgumentException"/> when the id is longer than
    /// <see cref="IdempotencyRecord.KeyMaxLength"/>; services turn that into INVALID_ARGUMENT.
    /// </summary>
    public static IdempotencyKey? For(string? requestId, string operation, Caller caller)
    {
        if (string.IsNullOrEmpty(requestId))
        {
            return null;
        }

        if (requestId.Length > IdempotencyRecord.KeyMaxLength)
        {
            throw new ArgumentException(
                $"request_id must be at most {IdempotencyRecord.KeyMaxLength} characters.", nameof(requestId));
        }

        return new IdempotencyKey(requestId, operation, caller.Subject ?? "");
    }

    /// <summary>
    /// The key for a gRPC call (or its JSON transcoding): the operation is the method's full name
    /// without the leading slash (<c>teams.v1.Teams/CreateTeam</c>), the caller the token's subject; a
    /// too-long <c>request_id</c> is INVALID_ARGUMENT naming the limit. The one way every service
    /// makes its keys.
    /// </summary>
    public static IdempotencyKey? ForCall(string? requestId, ServerCallContext context, Caller caller)
    {
        if (requestId is { Length: > IdempotencyRecord.KeyMaxLength })
        {
            throw Platform.Domain.DomainException.InvalidArgument($"request_id must be at most {IdempotencyRecord.KeyMaxLength} characters");
        }

        return For(requestId, context.Method.TrimStart('/'), caller);
    }
}

/// <summary>
/// Stores each create operation's response under its <see cref="IdempotencyKey"/>, in the same
/// SaveChanges as the business change, so that a retry returns the first result. The table's
/// primary key refuses a concurrent duplicate; the loser then reads and returns the winner's
/// response.
/// </summary>
public static class IdempotencyStore
{
    /// <summary>The response stored for <paramref name="key"/>, or null when this request is new.</summary>
    public static async Task<TResponse?> FindAsync<TResponse>(
        DbContext db, IdempotencyKey key, MessageParser<TResponse> parser, CancellationToken cancellationToken = default)
        where TResponse : class, IMessage<TResponse>
    {
        var record = await db.Set<IdempotencyRecord>().AsNoTracking()
            .Where(r => r.CallerSubject == key.CallerSubject && r.Operation == key.Operation && r.Key == key.RequestId)
            .Select(r => new { r.ResponseType, r.ResponseBytes })
            .SingleOrDefaultAsync(cancellationToken);
        return record is null ? null : Parse(parser, key.Operation, record.ResponseType, record.ResponseBytes);
    }

    /// <summary>
    /// The responses stored for any of <paramref name="keys"/> (looked up in one query); keys of
    /// new requests are absent from the result.
    /// </summary>
    public static async Task<Dictionary<IdempotencyKey, TResponse>> FindManyAsync<TResponse>(
        DbContext db, IReadOnlyCollection<IdempotencyKey> keys, MessageParser<TResponse> parser, CancellationToken cancellationToken = default)
        where TResponse : class, IMessage<TResponse>
    {
        if (db.Database.IsNpgsql())
        {
            return await FindOnPostgresAsync(db, keys, parser, cancellationToken);
        }

        // Only the request ids in the condition: they are what the index on Key finds. With the
        // caller and operation in it too, PostgreSQL chose the primary key (CallerSubject,
        // Operation, Key) whenever its statistics lagged behind the table, and walked every record
        // of the caller on each batch. The few records of other operations or callers with the
        // same ids are other requests, dropped by Match.
        var requestIds = keys.Select(k => k.RequestId).Distinct().ToList();
        var records = (await db.Set<IdempotencyRecord>().AsNoTracking()
                .Where(r => requestIds.Contains(r.Key))
                .Select(r => new { r.Key, r.Operation, r.CallerSubject, r.ResponseType, r.ResponseBytes })
                .ToListAsync(cancellationToken))
            .Select(r => (r.Key, r.Operation, r.CallerSubject, r.ResponseType, r.ResponseBytes));
        return Match(keys.ToHashSet(), records, parser);
    }

    /// <summary>
    /// PostgreSQL: the statement <see cref="FindManyAsync"/> runs, for a caller that sends it in a
    /// batch with its own statements (one round trip); read its rows with <see cref="ReadFoundAsync"/>.
    /// </summary>
    public static Npgsql.NpgsqlBatchCommand FindManyCommand(IReadOnlyCollection<IdempotencyKey> keys)
    {
        var command = new Npgsql.NpgsqlBatchCommand(FindSql);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = keys.Select(k => k.RequestId).Distinct().ToArray() });
        return command;
    }

    /// <summary>The responses stored for any of <paramref name="keys"/>, from the current result of a reader of <see cref="FindManyCommand"/>.</summary>
    public static async Task<Dictionary<IdempotencyKey, TResponse>> ReadFoundAsync<TResponse>(
        Npgsql.NpgsqlDataReader reader, IReadOnlyCollection<IdempotencyKey> keys, MessageParser<TResponse> parser, CancellationToken cancellationToken = default)
        where TResponse : class, IMessage<TResponse>
    {
        var records = new List<(string, string, string, string, byte[])>();
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), (byte[])reader.GetValue(4)));
        }

        return Match(keys.ToHashSet(), records, parser);
    }

    private static string FindSql =>
        $"""SELECT "Key", "Operation", "CallerSubject", "ResponseType", "ResponseBytes" FROM "{IdempotencyRecord.TableName}" WHERE "Key" = ANY($1)""";

    private static Dictionary<IdempotencyKey, TResponse> Match<TResponse>(
        HashSet<IdempotencyKey> wanted, IEnumerable<(string Key, string Operation, string CallerSubject, string ResponseType, byte[] ResponseBytes)> records, MessageParser<TResponse> parser)
        where TResponse : class, IMessage<TResponse>
    {
        var found = new Dictionary<IdempotencyKey, TResponse>();
        foreach (var record in records)
        {
            var key = new IdempotencyKey(record.Key, record.Operation, record.CallerSubject);
            if (wanted.Contains(key))
            {
                found[key] = Parse(parser, record.Operation, record.ResponseType, record.ResponseBytes);
            }
        }

        return found;
    }

    /// <summary>
    /// The same query in one Npgsql command (the group commits run it per batch, and EF Core's
    /// query pipeline cost more CPU than PostgreSQL's work for it).
    /// </summary>
    private static async Task<Dictionary<IdempotencyKey, TResponse>> FindOnPostgresAsync<TResponse>(
        DbContext db, IReadOnlyCollection<IdempotencyKey> keys, MessageParser<TResponse> parser, CancellationToken cancellationToken)
        where TResponse : class, IMessage<TResponse>
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var batch = db.Database.CreateNpgsqlBatch([FindManyCommand(keys)]);
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            return await ReadFoundAsync(reader, keys, parser, cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static TResponse Parse<TResponse>(MessageParser<TResponse> parser, string operation, string responseType, byte[] bytes)
        where TResponse : class, IMessage<TResponse>
    {
        var response = parser.ParseFrom(bytes);
        if (responseType != response.Descriptor.FullName)
        {
            // Only a code change can cause this (the operation's response type changed).
            throw new InvalidOperationException(
                $"The response stored for {operation} is a {responseType}, not a {response.Descriptor.FullName}.");
        }

        return response;
    }

    /// <summary>
    /// Adds the record to the context; it is written by the caller's next SaveChanges, together
    /// with the business change.
    /// </summary>
    public static void Add(DbContext db, IdempotencyKey key, IMessage response, TimeProvider? time = null)
    {
        db.Set<IdempotencyRecord>().Add(NewRecord(key, response, time));
    }

    /// <summary>The record <see cref="Add"/> adds, for writers that insert rows themselves (<see cref="PostgresBulkInsert"/>).</summary>
    public static IdempotencyRecord NewRecord(IdempotencyKey key, IMessage response, TimeProvider? time = null) => new()
    {
        Key = key.RequestId,
        Operation = key.Operation,
        CallerSubject = key.CallerSubject,
        ResponseType = response.Descriptor.FullName,
        ResponseBytes = response.ToByteArray(),
        CreatedAt = (time ?? TimeProvider.System).GetUtcNow(),
    };

    /// <summary>
    /// Runs a create operation at most once per key: returns the stored response if there is
    /// one; otherwise runs <paramref name="change"/> (which changes tracked entities and returns
    /// the response, WITHOUT calling SaveChanges), then saves the change and the record together.
    /// If a concurrent request with the same key saved first, this one's change is discarded and
    /// the first response returned, whether its SaveChanges failed on the record or the change itself
    /// refused (the state had moved on by the first one's hand). With a null key the change is simply run
    /// and saved.
    /// </summary>
    public static async Task<TResponse> ExecuteOnceAsync<TResponse>(
        DbContext db,
        IdempotencyKey? key,
        MessageParser<TResponse> parser,
        Func<CancellationToken, Task<TResponse>> change,
        CancellationToken cancellationToken = default)
        where TResponse : class, IMessage<TResponse>
    {
        if (key is null)
        {
            var plain = await change(cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            return plain;
        }

        if (await FindAsync(db, key, parser, cancellationToken) is { } earlier)
        {
            return earlier;
        }

        TResponse response;
        try
        {
            response = await change(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The same request may have committed between the lookup above and this change, which then
            // refuses what the first one did (a member who has left, an election already closed): its
            // answer is the answer. Otherwise the refusal stands.
            db.ChangeTracker.Clear();
            if (await FindAsync(db, key, parser, cancellationToken) is { } first)
            {
                return first;
            }

            throw;
        }

        Add(db, key, response);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return response;
        }
        catch (DbUpdateException)
        {
            // Whatever the provider's error code, the question is whether the same request got
            // there first: if its record now exists, answer with it; otherwise the failure is
            // someone else's and propagates.
            db.ChangeTracker.Clear();
            if (await FindAsync(db, key, parser, cancellationToken) is { } first)
            {
                return first;
            }

            throw;
        }
    }
}
