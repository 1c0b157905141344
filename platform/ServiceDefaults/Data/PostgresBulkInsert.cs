using System.Collections.Concurrent;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace Platform.Data;

/// <summary>
/// Inserts new rows of one entity type in one statement on PostgreSQL:
/// <c>INSERT INTO t (columns) SELECT * FROM unnest($1::type[], $2::type[], …)</c>, one array per
/// column. Table, columns, value conversions and store types come from the DbContext's EF Core
/// model, so the rows are exactly what SaveChanges would have written.
/// </summary>
/// <remarks>
/// For hot paths that write many new rows at once (the intake's group commit): SaveChanges sends
/// one INSERT per row and spends more CPU tracking, snapshotting and building commands than the
/// database spends storing the rows (measured on the cluster benchmark: EF Core was about half of
/// a Consultations instance's CPU during sustained intake). The entities are not tracked; the
/// database fills identity columns, every other value (keys included) must already be set.
/// Constraint violations surface as <see cref="PostgresException"/> (e.g. SqlState 23505).
/// </remarks>
public static class PostgresBulkInsert
{
    private static readonly ConcurrentDictionary<(IModel, Type), Plan> Plans = new();

    /// <summary>
    /// The statement inserting <paramref name="rows"/> (at least one), to run in an
    /// <see cref="NpgsqlBatch"/> on the context's connection and transaction.
    /// </summary>
    public static NpgsqlBatchCommand Command<T>(DbContext db, IReadOnlyList<T> rows)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            throw new ArgumentException("at least one row is needed", nameof(rows));
        }

        return Command(PlanFor(db, typeof(T)), rows);
    }

    /// <summary>
    /// Takes the entities <paramref name="db"/> tracks as Added whose type a bulk statement can
    /// write exactly as SaveChanges would (<see cref="CanTake"/>), and returns one INSERT per entity
    /// type for them, in the order the types were first met. The context stops tracking them (so the
    /// next SaveChanges neither writes them again nor compares their values: for a batch of many
    /// new rows that comparison was most of what SaveChanges still cost) and writes only the rest. Run the statements in the transaction that
    /// SaveChanges runs in, before it commits; if they fail, roll back and drop the context.
    /// </summary>
    public static IReadOnlyList<NpgsqlBatchCommand> TakeAdded(DbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        var byType = new Dictionary<IEntityType, List<object>>();
        var taken = new List<Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry>();
        foreach (var entry in db.ChangeTracker.Entries())
        {
            if (entry.State != EntityState.Added || !CanTake(entry.Metadata) || HasTemporaryKey(entry))
            {
                continue;
            }

            if (!byType.TryGetValue(entry.Metadata, out var rows))
            {
                byType[entry.Metadata] = rows = [];
            }

            rows.Add(entry.Entity);
            taken.Add(entry);
        }

        var commands = byType.Select(t => Command(PlanFor(db, t.Key.ClrType), t.Value)).ToList();
        foreach (var entry in taken)
        {
            entry.State = EntityState.Detached;
        }

        return commands;
    }

    /// <summary>
    /// Writes what <see cref="TakeAdded"/> takes from <paramref name="db"/> in one round trip, in the
    /// context's current transaction; the next SaveChanges writes the rest. Returns the rows written.
    /// </summary>
    public static async Task<int> InsertAddedAsync(DbContext db, CancellationToken cancellationToken)
    {
        var commands = TakeAdded(db);
        if (commands.Count == 0)
        {
            return 0;
        }

        await using var batch = db.Database.CreateNpgsqlBatch(commands);
        return await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// True when new rows of <paramref name="entityType"/> can be written by a bulk statement
    /// regardless of the order of the other rows of a SaveChanges: a plain table of its own (not
    /// owned, no inheritance, no table splitting, no complex properties), in no relationship (no
    /// foreign key to or from it, so no row needs another inserted first), and every column's value
    /// held by a CLR property with nothing generated or defaulted by the database.
    /// </summary>
    public static bool CanTake(IEntityType entityType) =>
        Eligibility.GetOrAdd(entityType, static t => IsPlainTable(t));

    private static readonly ConcurrentDictionary<IEntityType, bool> Eligibility = new();

    private static bool IsPlainTable(IEntityType t)
    {
        if (t.IsOwned() || t.BaseType is not null || t.GetDirectlyDerivedTypes().Any() || t.GetComplexProperties().Any()
            || t.GetForeignKeys().Any() || t.GetReferencingForeignKeys().Any() || t.GetTableName() is null
            || t.FindPrimaryKey() is null)
        {
            return false;
        }

        var mappings = t.GetTableMappings().ToList();
        if (mappings.Count != 1 || mappings[0].Table.EntityTypeMappings.Count() != 1)
        {
            return false;
        }

        return t.GetProperties().All(p =>
            !p.IsShadowProperty() && p.PropertyInfo is not null
            && NpgsqlPropertyExtensions.GetValueGenerationStrategy(p) == NpgsqlValueGenerationStrategy.None
            && p.GetDefaultValueSql() is null && p.GetComputedColumnSql() is null
            && p.FindAnnotation(RelationalAnnotationNames.DefaultValue) is null);
    }

    private static bool HasTemporaryKey(Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry entry)
    {
        foreach (var key in entry.Metadata.FindPrimaryKey()!.Properties)
        {
            if (entry.Property(key.Name).IsTemporary)
            {
                return true;
            }
        }

        return false;
    }

    private static NpgsqlBatchCommand Command(Plan plan, IReadOnlyList<object> rows)
    {
        var command = new NpgsqlBatchCommand(plan.Sql);
        foreach (var column in plan.Columns)
        {
            var values = Array.CreateInstance(column.ElementType, rows.Count);
            for (var i = 0; i < rows.Count; i++)
            {
                values.SetValue(column.Read(rows[i]), i);
            }

            command.Parameters.Add(new NpgsqlParameter { Value = values });
        }

        return command;
    }

    /// <summary>The statement's text for <typeparamref name="T"/> (for tests and logs).</summary>
    public static string Sql<T>(DbContext db)
        where T : class => PlanFor(db, typeof(T)).Sql;

    private static Plan PlanFor(DbContext db, Type clrType) =>
        Plans.GetOrAdd((db.Model, clrType), static key => Plan.For(key.Item1, key.Item2));

    private sealed record Column(string Name, string StoreType, Type ElementType, Func<object, object?> Read);

    private sealed record Plan(string Sql, IReadOnlyList<Column> Columns)
    {
        public static Plan For(IModel model, Type clrType)
        {
            var entityType = model.FindEntityType(clrType)
                ?? throw new InvalidOperationException($"{clrType.Name} is not an entity type of this DbContext's model");
            var table = entityType.GetTableName()
                ?? throw new InvalidOperationException($"{clrType.Name} is not mapped to a table");
            var store = StoreObjectIdentifier.Table(table, entityType.GetSchema());
            var columns = new List<Column>();
            foreach (var property in entityType.GetProperties())
            {
                if (NpgsqlPropertyExtensions.GetValueGenerationStrategy(property) != NpgsqlValueGenerationStrategy.None)
                {
                    continue; // identity or sequence: the database assigns it
                }

                if (property.IsShadowProperty() || property.PropertyInfo is null)
                {
                    throw new NotSupportedException($"{clrType.Name}.{property.Name} has no CLR property to read; bulk insert needs one");
                }

                var mapping = property.GetRelationalTypeMapping();
                var converter = mapping.Converter;
                var providerType = converter?.ProviderClrType ?? property.ClrType;
                var elementType = Nullable.GetUnderlyingType(providerType) is { } underlying
                    ? typeof(Nullable<>).MakeGenericType(underlying)
                    : providerType.IsValueType && property.IsNullable ? typeof(Nullable<>).MakeGenericType(providerType) : providerType;
                columns.Add(new Column(
                    property.GetColumnName(store) ?? property.Name,
                    property.GetColumnType(),
                    elementType,
                    Reader(clrType, property, converter?.ConvertToProvider)));
            }

            var names = string.Join(", ", columns.Select(c => Quote(c.Name)));
            var arrays = string.Join(", ", columns.Select((c, i) => $"${i + 1}::{c.StoreType}[]"));
            var schema = entityType.GetSchema();
            var target = schema is null ? Quote(table) : $"{Quote(schema)}.{Quote(table)}";
            return new Plan($"INSERT INTO {target} ({names}) SELECT * FROM unnest({arrays})", columns);
        }

        private static Func<object, object?> Reader(Type clrType, IProperty property, Func<object?, object?>? toProvider)
        {
            var entity = Expression.Parameter(typeof(object), "entity");
            var read = Expression.Convert(Expression.Property(Expression.Convert(entity, clrType), property.PropertyInfo!), typeof(object));
            var getter = Expression.Lambda<Func<object, object?>>(read, entity).Compile();
            return toProvider is null ? getter : e => getter(e) is { } value ? toProvider(value) : null;
        }

        private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
