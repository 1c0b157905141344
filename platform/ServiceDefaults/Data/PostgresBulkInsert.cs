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

        var plan = PlanFor(db, typeof(T));
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
