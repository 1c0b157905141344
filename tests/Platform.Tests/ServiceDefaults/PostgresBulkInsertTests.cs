using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Npgsql;
using Platform.Data;
using Testing;
using Xunit;

namespace Platform.Tests.ServiceDefaults;

/// <summary>
/// The bulk insert writes rows exactly as SaveChanges does: the same entities stored both ways
/// (on a real PostgreSQL, the table created by EF Core from the model) read back column by column
/// as the same text, for every kind of column the services map — value converters (to ticks,
/// enum to int, a nullable one), nullable value types with and without values, bytea, text in
/// varchar(n), timestamptz from DateTime and DateTimeOffset, a schema, a renamed column, and an
/// identity column the database fills.
/// </summary>
public sealed class PostgresBulkInsertTests
{
    [Fact]
    public async Task Rows_inserted_in_bulk_equal_rows_saved_by_SaveChanges()
    {
        await using var db = await NewDatabaseAsync();
        var saved = Samples("saved").ToList();
        db.Things.AddRange(saved);
        await db.SaveChangesAsync();

        var bulk = Samples("bulk").ToList();
        await db.Database.OpenConnectionAsync();
        await using (var batch = new NpgsqlBatch((NpgsqlConnection)db.Database.GetDbConnection()))
        {
            batch.BatchCommands.Add(PostgresBulkInsert.Command(db, bulk));
            Assert.Equal(bulk.Count, await batch.ExecuteNonQueryAsync());
        }

        var bySaveChanges = await RowsAsync(db, "saved");
        var byBulk = await RowsAsync(db, "bulk");
        Assert.Equal(saved.Count, bySaveChanges.Count);
        Assert.Equal(bySaveChanges, byBulk);

        // The identity column: filled by the database, distinct, after SaveChanges' values.
        var sequences = await db.Things.AsNoTracking().Where(t => t.Label.StartsWith("bulk")).Select(t => t.Sequence).ToListAsync();
        Assert.Equal(bulk.Count, sequences.Distinct().Count());
        Assert.True(sequences.Min() > saved.Max(t => t.Sequence));

        // What EF Core reads back is what went in.
        var read = await db.Things.AsNoTracking().Where(t => t.Label.StartsWith("bulk")).OrderBy(t => t.Label).ToListAsync();
        Assert.Equal(bulk.Select(t => (t.Id, t.At, t.MaybeAt, t.Kind, t.Count, t.Bytes, t.When, t.Offset)),
            read.Select(t => (t.Id, t.At, t.MaybeAt, t.Kind, t.Count, t.Bytes, t.When, t.Offset)));
    }

    [Fact]
    public async Task A_duplicate_key_fails_the_whole_statement_with_a_unique_violation()
    {
        await using var db = await NewDatabaseAsync();
        var first = Samples("dup").Take(1).ToList();
        db.Things.AddRange(first);
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();

        var again = Samples("other").Take(2).ToList();
        again[1].Id = first[0].Id;
        await db.Database.OpenConnectionAsync();
        await using var batch = new NpgsqlBatch((NpgsqlConnection)db.Database.GetDbConnection());
        batch.BatchCommands.Add(PostgresBulkInsert.Command(db, again));
        var error = await Assert.ThrowsAsync<PostgresException>(() => batch.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.UniqueViolation, error.SqlState);
        Assert.Equal(1, await db.Things.CountAsync());
    }

    [Fact]
    public void The_statement_names_the_table_and_columns_from_the_model_and_leaves_identity_to_the_database()
    {
        using var db = new BulkDb(new DbContextOptionsBuilder<BulkDb>().UseNpgsql("Host=unused").Options);
        var sql = PostgresBulkInsert.Sql<Thing>(db);
        Assert.StartsWith("INSERT INTO \"bulk\".\"Things\" (", sql, StringComparison.Ordinal);
        Assert.Contains("\"renamed_count\"", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("\"Sequence\"", sql, StringComparison.Ordinal);
        Assert.Contains("::character varying(40)[]", sql, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => PostgresBulkInsert.Command(db, Array.Empty<Thing>()));
    }

    private static IEnumerable<Thing> Samples(string prefix)
    {
        var at = new DateTime(2026, 11, 22, 10, 30, 15, DateTimeKind.Utc).AddTicks(1234560); // PostgreSQL keeps microseconds
        for (var i = 0; i < 5; i++)
        {
            yield return new Thing
            {
                Id = Guid.NewGuid(),
                Label = $"{prefix}-{i} \u00e9\u4e2d'\"\\",
                At = new Ticks(638_000_000_000_000_000 + i),
                MaybeAt = i % 2 == 0 ? null : new Ticks(i),
                Kind = (DayOfWeek)(i % 7),
                Count = i % 2 == 0 ? i : null,
                Bytes = i == 3 ? [] : [(byte)i, 0, 255],
                Note = i == 1 ? null : $"note {i}",
                When = at.AddSeconds(i),
                Offset = new DateTimeOffset(at.AddMinutes(i)),
                Flag = i % 2 == 1,
            };
        }
    }

    /// <summary>Each column as PostgreSQL's text, except the keys and labels that differ by design.</summary>
    private static async Task<List<string>> RowsAsync(BulkDb db, string prefix)
    {
        await db.Database.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT concat_ws('|', substr("Label", length(split_part("Label", '-', 1)) + 1), "At", "MaybeAt", "Kind",
                   coalesce("renamed_count"::text, 'NULL'), encode("Bytes", 'hex'), coalesce("Note", 'NULL'),
                   "When", "Offset", "Flag")
            FROM bulk."Things" WHERE "Label" LIKE $1 || '-%' ORDER BY "Label"
            """, (NpgsqlConnection)db.Database.GetDbConnection());
        command.Parameters.Add(new NpgsqlParameter { Value = prefix });
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    private static async Task<BulkDb> NewDatabaseAsync()
    {
        var connectionString = await (await SharedPostgres.GetAsync()).CreateDatabaseAsync();
        var db = new BulkDb(new DbContextOptionsBuilder<BulkDb>().UseNpgsql(connectionString).Options);
        await db.Database.EnsureCreatedAsync();
        return db;
    }

    public readonly record struct Ticks(long Value);

    public sealed class Thing
    {
        public long Sequence { get; set; }
        public Guid Id { get; set; }
        public string Label { get; set; } = "";
        public Ticks At { get; set; }
        public Ticks? MaybeAt { get; set; }
        public DayOfWeek Kind { get; set; }
        public int? Count { get; set; }
        public byte[] Bytes { get; set; } = [];
        public string? Note { get; set; }
        public DateTime When { get; set; }
        public DateTimeOffset Offset { get; set; }
        public bool Flag { get; set; }
    }

    private sealed class BulkDb(DbContextOptions<BulkDb> options) : DbContext(options)
    {
        public DbSet<Thing> Things => Set<Thing>();

        protected override void OnModelCreating(ModelBuilder modelBuilder) =>
            modelBuilder.Entity<Thing>(e =>
            {
                e.ToTable("Things", "bulk");
                e.HasKey(t => t.Id);
                e.Property(t => t.Sequence).UseIdentityByDefaultColumn();
                e.Property(t => t.Label).HasMaxLength(40);
                e.Property(t => t.At).HasConversion(new ValueConverter<Ticks, long>(t => t.Value, v => new Ticks(v)));
                e.Property(t => t.MaybeAt).HasConversion(new ValueConverter<Ticks?, long?>(t => t.HasValue ? t.Value.Value : null, v => v.HasValue ? new Ticks(v.Value) : null));
                e.Property(t => t.Kind).HasConversion<int>();
                e.Property(t => t.Count).HasColumnName("renamed_count");
            });
    }
}
