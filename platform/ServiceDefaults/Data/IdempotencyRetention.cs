using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using NpgsqlTypes;

namespace Platform.Data;

/// <summary>What one pruning run did: records deleted, and the DELETE statements (each its own transaction) it took.</summary>
public readonly record struct IdempotencyPruneResult(int Deleted, int Statements);

/// <summary>
/// Deletes idempotency records once their retention has passed, so the table holds a bounded
/// window of requests instead of growing by one row per create forever.
/// </summary>
public static class IdempotencyRetention
{
    /// <summary>
    /// Registers a background service that deletes <typeparamref name="TDbContext"/>'s idempotency
    /// records older than <c>Idempotency:Retention</c> every <c>Idempotency:PruneInterval</c>
    /// (<see cref="IdempotencyOptions"/>). The DbContext is registered by the service
    /// (<c>AddServiceDatabase</c>) and maps the records (<c>modelBuilder.AddIdempotencyRecords()</c>).
    /// Calling it again for the same DbContext adds no second pruner.
    /// </summary>
    public static IHostApplicationBuilder AddIdempotencyRetention<TDbContext>(this IHostApplicationBuilder builder, Action<IdempotencyOptions>? configure = null)
        where TDbContext : DbContext
    {
        builder.Services.AddIdempotencyRetention<TDbContext>(builder.Configuration, configure);
        return builder;
    }

    /// <inheritdoc cref="AddIdempotencyRetention{TDbContext}(IHostApplicationBuilder, Action{IdempotencyOptions})"/>
    public static IServiceCollection AddIdempotencyRetention<TDbContext>(this IServiceCollection services, IConfiguration configuration, Action<IdempotencyOptions>? configure = null)
        where TDbContext : DbContext
    {
        var options = services.AddOptions<IdempotencyOptions>(typeof(TDbContext).FullName)
            .Bind(configuration.GetSection(IdempotencyOptions.Section));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => o.Retention > TimeSpan.Zero && o.PruneInterval > TimeSpan.Zero && o.PruneInterval <= MaxPruneInterval && o.PruneChunkSize > 0,
                $"Idempotency: Retention must be positive, PruneInterval between 1 ms and {MaxPruneInterval.TotalDays:0} days, PruneChunkSize at least 1.")
            .ValidateOnStart();
        services.AddHostedService<IdempotencyPruner<TDbContext>>(); // TryAddEnumerable: once per DbContext
        return services;
    }

    /// <summary>The longest wait <see cref="Task.Delay(TimeSpan, CancellationToken)"/> accepts.</summary>
    private static readonly TimeSpan MaxPruneInterval = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary>
    /// Deletes the idempotency records created before <paramref name="createdBefore"/>, at most
    /// <paramref name="chunkSize"/> per statement, statement after statement until one deletes
    /// fewer. Each statement commits on its own (unless the context has a transaction open).
    /// </summary>
    /// <remarks>
    /// There is no index on <c>CreatedAt</c> (every insert of the intake would pay for it), so a
    /// statement finds old records by walking the table in storage order, where the oldest rows
    /// lie first: rows are inserted and deleted, never updated. Each statement resumes after the
    /// last row the previous one deleted (<c>ctid</c> on PostgreSQL, <c>rowid</c> on SQLite)
    /// instead of walking again over the rows already deleted, which would make a large backlog
    /// cost the square of its size; the last statement reads the rest of the table, so a run
    /// reads the table once. Rows an early statement skipped (only if a scan did not follow the
    /// storage order) are deleted by the next run.
    /// </remarks>
    public static async Task<IdempotencyPruneResult> DeleteCreatedBeforeAsync(
        DbContext db, DateTimeOffset createdBefore, int chunkSize, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        var postgres = db.Database.IsNpgsql();
        var (table, createdAt) = StoreNames(db);
        var createdAtColumn = createdAt.GetColumnName(table)!;
        var sql = db.GetService<ISqlGenerationHelper>();
        var tableName = sql.DelimitIdentifier(table.Name, table.Schema);
        var column = sql.DelimitIdentifier(createdAtColumn);

        // The chunk is chosen in a subquery with LIMIT (neither provider bounds a DELETE itself),
        // and the DELETE finds its rows by their physical address, as cheaply as by a key.
        var text = postgres
            ? $"""
               DELETE FROM {tableName} WHERE ctid = ANY(ARRAY(
                   SELECT ctid FROM {tableName} WHERE ctid > @after AND {column} < @cutoff LIMIT @chunk))
                 AND {column} < @cutoff
               RETURNING ctid
               """
            : $"""
               DELETE FROM {tableName} WHERE rowid IN (
                   SELECT rowid FROM {tableName} WHERE rowid > @after AND {column} < @cutoff ORDER BY rowid LIMIT @chunk)
               RETURNING rowid
               """;

        var deleted = 0;
        var statements = 0;
        object after = postgres ? new NpgsqlTid(0, 0) : long.MinValue;
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            while (true)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = text;
                command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
                if (db.Database.GetCommandTimeout() is { } timeout)
                {
                    command.CommandTimeout = timeout;
                }

                // The cut-off as the model writes CreatedAt (timestamptz on PostgreSQL, text on SQLite).
                command.Parameters.Add(createdAt.GetRelationalTypeMapping().CreateParameter(command, "@cutoff", createdBefore, nullable: false));
                command.Parameters.Add(postgres
                    ? new NpgsqlParameter("@after", NpgsqlDbType.Tid) { Value = after }
                    : Parameter(command, "@after", after));
                command.Parameters.Add(Parameter(command, "@chunk", chunkSize));

                var inChunk = 0;
                await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        inChunk++;
                        after = postgres ? Later((NpgsqlTid)after, reader.GetFieldValue<NpgsqlTid>(0)) : Math.Max((long)after, reader.GetInt64(0));
                    }
                }

                statements++;
                deleted += inChunk;
                if (inChunk < chunkSize)
                {
                    return new IdempotencyPruneResult(deleted, statements);
                }
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static (StoreObjectIdentifier Table, IProperty CreatedAt) StoreNames(DbContext db)
    {
        var entity = db.Model.FindEntityType(typeof(IdempotencyRecord))
            ?? throw new InvalidOperationException($"{db.GetType().Name} has no idempotency records: call modelBuilder.AddIdempotencyRecords() in OnModelCreating.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        return (table, entity.GetProperty(nameof(IdempotencyRecord.CreatedAt)));
    }

    private static DbParameter Parameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        return parameter;
    }

    private static NpgsqlTid Later(NpgsqlTid a, NpgsqlTid b) =>
        (b.BlockNumber, b.OffsetNumber).CompareTo((a.BlockNumber, a.OffsetNumber)) > 0 ? b : a;
}
