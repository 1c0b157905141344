using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Testing;

/// <summary>
/// What a SQLite or PostgreSQL database holds, as sorted lines of text that two databases can be
/// compared by: its schema (tables, columns, keys, indexes, foreign keys) and every row of every table.
/// For the migration tests: a database upgraded from older migrations must hold what it held, with
/// the schema a new database gets.
/// </summary>
public static partial class DatabaseContents
{
    /// <summary>
    /// One line per column (type, nullability, default, key or identity), per index (its definition,
    /// filter included) and per constraint. Column order is left out: EF Core names every column, and
    /// generated migrations order columns differently from the hand-written ones.
    /// </summary>
    public static async Task<IReadOnlyList<string>> SchemaAsync(DbConnection connection)
    {
        await OpenAsync(connection);
        var lines = IsSqlite(connection) ? await SqliteSchemaAsync(connection) : await PostgresSchemaAsync(connection);
        return [.. lines.Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Every row of every table (EF Core's migration lock excepted), one line each, sorted; with
    /// <paramref name="columns"/>, only those tables and columns (what an older schema had).
    /// </summary>
    public static async Task<IReadOnlyList<string>> RowsAsync(DbConnection connection, IReadOnlyDictionary<string, IReadOnlyList<string>>? columns = null)
    {
        await OpenAsync(connection);
        columns ??= await ColumnsAsync(connection);
        var lines = new List<string>();
        foreach (var (table, names) in columns)
        {
            if (table == "__EFMigrationsLock") continue;
            var rows = await QueryAsync(connection, $"SELECT {string.Join(", ", names.Select(Quote))} FROM {Quote(table)}");
            lines.AddRange(rows.Select(row => $"{table}: {string.Join(" | ", row.Select((value, i) => $"{names[i]}={value}"))}"));
        }

        return [.. lines.Order(StringComparer.Ordinal)];
    }

    /// <summary>The column names of every table.</summary>
    public static async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> ColumnsAsync(DbConnection connection)
    {
        await OpenAsync(connection);
        var columns = new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var table in await TablesAsync(connection))
        {
            var names = await QueryAsync(connection, IsSqlite(connection)
                ? $"SELECT name FROM pragma_table_info('{table}')"
                : $"SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '{table}'");
            columns[table] = [.. names.Select(n => n[0]).Order(StringComparer.Ordinal)];
        }

        return columns;
    }

    /// <summary>The number of rows of each table, for a test to check that it filled every table it compares.</summary>
    public static async Task<IReadOnlyDictionary<string, int>> RowCountsAsync(DbConnection connection)
    {
        await OpenAsync(connection);
        var counts = new Dictionary<string, int>();
        foreach (var table in await TablesAsync(connection))
        {
            counts[table] = int.Parse((await QueryAsync(connection, $"SELECT COUNT(*) FROM {Quote(table)}"))[0][0], CultureInfo.InvariantCulture);
        }

        return counts;
    }

    private static async Task<List<string>> SqliteSchemaAsync(DbConnection connection)
    {
        var lines = new List<string>();
        foreach (var table in await TablesAsync(connection))
        {
            var create = (await QueryAsync(connection, $"SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '{table}'"))[0][0];
            lines.Add($"{table} autoincrement={create.Contains("AUTOINCREMENT", StringComparison.OrdinalIgnoreCase)}");
            foreach (var c in await QueryAsync(connection, $"SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('{table}')"))
            {
                lines.Add($"{table}.{c[0]} {c[1]} notnull={c[2]} default={c[3]} pk={c[4]}");
            }

            foreach (var f in await QueryAsync(connection, $"SELECT \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list('{table}')"))
            {
                lines.Add($"{table} foreign key ({f[1]}) references {f[0]}({f[2]}) on update {f[3]} on delete {f[4]}");
            }

            foreach (var i in await QueryAsync(connection, $"SELECT name, \"unique\", origin, partial FROM pragma_index_list('{table}')"))
            {
                var columns = await QueryAsync(connection, $"SELECT name FROM pragma_index_info('{i[0]}') ORDER BY seqno");
                var sql = await QueryAsync(connection, $"SELECT sql FROM sqlite_master WHERE type = 'index' AND name = '{i[0]}'");
                var definition = sql.Count == 0 ? "" : Whitespace().Replace(sql[0][0], " ");
                // Indexes SQLite makes for a primary key are named by it (sqlite_autoindex_<table>_N).
                var name = i[2] == "pk" ? "(primary key)" : i[0];
                lines.Add($"{table} index {name} unique={i[1]} origin={i[2]} partial={i[3]} ({string.Join(", ", columns.Select(c => c[0]))}) {definition}");
            }
        }

        return lines;
    }

    private static async Task<List<string>> PostgresSchemaAsync(DbConnection connection)
    {
        var lines = new List<string>();
        foreach (var c in await QueryAsync(connection, """
            SELECT table_name, column_name, data_type, character_maximum_length, is_nullable, column_default, is_identity, identity_generation
            FROM information_schema.columns WHERE table_schema = 'public'
            """))
        {
            lines.Add($"{c[0]}.{c[1]} {c[2]}({c[3]}) nullable={c[4]} default={c[5]} identity={c[6]} {c[7]}");
        }

        foreach (var i in await QueryAsync(connection, "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"))
        {
            lines.Add($"{i[0]} index {i[1]}: {i[2]}");
        }

        foreach (var k in await QueryAsync(connection, """
            SELECT cl.relname, co.conname, pg_get_constraintdef(co.oid)
            FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
            WHERE n.nspname = 'public'
            """))
        {
            lines.Add($"{k[0]} constraint {k[1]}: {k[2]}");
        }

        return lines;
    }

    private static async Task<List<string>> TablesAsync(DbConnection connection) =>
        [.. (await QueryAsync(connection, IsSqlite(connection)
                ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                : "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"))
            .Select(r => r[0]).Order(StringComparer.Ordinal)];

    private static async Task<List<string[]>> QueryAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string[]>();
        while (await reader.ReadAsync())
        {
            var row = new string[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? "NULL" : Text(reader.GetValue(i));
            }

            rows.Add(row);
        }

        return rows;
    }

    private static string Text(object value) => value switch
    {
        byte[] bytes => Convert.ToHexString(bytes),
        DateTime t => t.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.ToString("O", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static bool IsSqlite(DbConnection connection) => connection.GetType().Name == "SqliteConnection";

    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

    private static async Task OpenAsync(DbConnection connection)
    {
        if (connection.State != System.Data.ConnectionState.Open) await connection.OpenAsync();
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
