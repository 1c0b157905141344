using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
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

    [Fact]
    public void Only_plain_tables_in_no_relationship_with_nothing_generated_by_the_database_are_taken()
    {
        using var db = new BulkDb(new DbContextOptionsBuilder<BulkDb>().UseNpgsql("Host=unused").Options);
        bool Takes<T>() => PostgresBulkInsert.CanTake(db.Model.FindEntityType(typeof(T))!);
        Assert.True(Takes<Plain>());
        Assert.False(Takes<Thing>());     // identity column
        Assert.False(Takes<Parent>());    // referenced by a foreign key
        Assert.False(Takes<Child>());     // holds a foreign key
        Assert.False(Takes<Shadowed>());  // a shadow property (no CLR property to read)
        Assert.False(Takes<Defaulted>()); // a database default SaveChanges may rely on
    }

    [Fact]
    public async Task Taking_the_added_rows_leaves_the_rest_to_SaveChanges_and_both_commit_together()
    {
        await using var db = await NewDatabaseAsync();
        var plains = Enumerable.Range(0, 4).Select(i => new Plain { Id = Guid.NewGuid(), Text = $"plain {i}", At = DateTime.UtcNow }).ToList();
        var parent = new Parent { Id = Guid.NewGuid(), Children = [new Child { Id = Guid.NewGuid() }] };
        var thing = Samples("thing").First();
        var shadowed = new Shadowed { Id = Guid.NewGuid() };
        var defaulted = new Defaulted { Id = Guid.NewGuid() };
        db.Plains.AddRange(plains);
        db.AddRange(parent, thing, shadowed, defaulted);
        db.Entry(shadowed).Property("Version").CurrentValue = 7;
        var stored = new Plain { Id = Guid.NewGuid(), Text = "stored before", At = DateTime.UtcNow };

        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            var commands = PostgresBulkInsert.TakeAdded(db);
            var command = Assert.Single(commands);
            Assert.StartsWith("INSERT INTO \"Plains\"", command.CommandText, StringComparison.Ordinal);
            Assert.All(plains, p => Assert.Equal(EntityState.Detached, db.Entry(p).State));
            Assert.All(new object[] { parent, parent.Children[0], thing, shadowed, defaulted }, e => Assert.Equal(EntityState.Added, db.Entry(e).State));

            await using var batch = new NpgsqlBatch((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)transaction.GetDbTransaction());
            batch.BatchCommands.Add(command);
            Assert.Equal(plains.Count, await batch.ExecuteNonQueryAsync());
            Assert.Equal(5, await db.SaveChangesAsync()); // parent, child, thing, shadowed, defaulted: the plains are not written twice
            await transaction.CommitAsync();
        }

        db.ChangeTracker.Clear();
        Assert.Equal(plains.Select(p => (p.Id, p.Text)).OrderBy(p => p.Id),
            (await db.Plains.AsNoTracking().ToListAsync()).Select(p => (p.Id, p.Text)).OrderBy(p => p.Id));
        Assert.Equal(1, await db.Set<Child>().CountAsync(c => c.ParentId == parent.Id));
        Assert.Equal(7, await db.Set<Shadowed>().Select(s => EF.Property<int>(s, "Version")).SingleAsync());
        Assert.Equal(3, await db.Set<Defaulted>().Select(d => d.Level).SingleAsync());

        // Nothing added: no statement. A failed statement rolls back with the rest of its transaction.
        Assert.Empty(PostgresBulkInsert.TakeAdded(db));
        db.Plains.Add(stored);
        db.Plains.Add(new Plain { Id = plains[0].Id, Text = "a duplicate", At = DateTime.UtcNow });
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            await using var batch = new NpgsqlBatch((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)transaction.GetDbTransaction());
            batch.BatchCommands.Add(Assert.Single(PostgresBulkInsert.TakeAdded(db)));
            var error = await Assert.ThrowsAsync<PostgresException>(() => batch.ExecuteNonQueryAsync());
            Assert.Equal(PostgresErrorCodes.UniqueViolation, error.SqlState);
        }

        Assert.False(await db.Plains.AnyAsync(p => p.Id == stored.Id));
        Assert.Equal("plain 0", await db.Plains.Where(p => p.Id == plains[0].Id).Select(p => p.Text).SingleAsync());
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

    public sealed class Plain
    {
        public Guid Id { get; set; }
        public string Text { get; set; } = "";
        public DateTime At { get; set; }
    }

    public sealed class Parent
    {
        public Guid Id { get; set; }
        public List<Child> Children { get; set; } = [];
    }

    public sealed class Child
    {
        public Guid Id { get; set; }
        public Guid ParentId { get; set; }
    }

    public sealed class Shadowed
    {
        public Guid Id { get; set; }
    }

    public sealed class Defaulted
    {
        public Guid Id { get; set; }
        public int Level { get; set; }
    }

    private sealed class BulkDb(DbContextOptions<BulkDb> options) : DbContext(options)
    {
        public DbSet<Thing> Things => Set<Thing>();
        public DbSet<Plain> Plains => Set<Plain>();

        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<Plain>().ToTable("Plains");
            modelBuilder.Entity<Parent>().HasMany(p => p.Children).WithOne().HasForeignKey(c => c.ParentId);
            modelBuilder.Entity<Shadowed>().Property<int>("Version");
            modelBuilder.Entity<Defaulted>().Property(d => d.Level).HasDefaultValue(3);
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
}
