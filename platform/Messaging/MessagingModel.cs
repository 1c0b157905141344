using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace Platform.Messaging;

/// <summary>The outbox and inbox tables inside a service's own DbContext and migrations.</summary>
public static class MessagingModel
{
    public const string OutboxTable = "OutboxMessages";
    public const string InboxTable = "InboxMessages";
    private const string UnsentFilter = "\"SentAt\" IS NULL";

    /// <summary>Adds the outbox and inbox entities to the service's model (call from OnModelCreating).</summary>
    public static ModelBuilder AddMessaging(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<OutboxMessage>(outbox =>
        {
            outbox.ToTable(OutboxTable);
            outbox.HasKey(o => o.Sequence);
            outbox.Property(o => o.Sequence).ValueGeneratedOnAdd();
            outbox.Property(o => o.MessageType).IsRequired();
            outbox.Property(o => o.Payload).IsRequired();
            outbox.HasIndex(o => o.MessageId).IsUnique();
            // Partial indexes over the unsent rows only: the dispatcher's queries stay small however
            // many sent rows wait for pruning. The filter is plain SQL both providers accept.
            outbox.HasIndex(o => o.Sequence).HasFilter(UnsentFilter).HasDatabaseName($"IX_{OutboxTable}_Unsent");
            outbox.HasIndex(o => new { o.AggregateKey, o.Sequence }).HasFilter(UnsentFilter).HasDatabaseName($"IX_{OutboxTable}_Unsent_AggregateKey");
            outbox.HasIndex(o => o.SentAt);
        });
        modelBuilder.Entity<InboxMessage>(inbox =>
        {
            inbox.ToTable(InboxTable);
            inbox.HasKey(i => new { i.MessageId, i.Consumer });
            inbox.HasIndex(i => i.ReceivedAt);
        });
        return modelBuilder;
    }

    /// <summary>
    /// Creates the outbox and inbox tables in a hand-written migration. Provider-neutral: the
    /// identity annotations of both providers are given; each provider reads its own.
    /// </summary>
    public static void CreateMessagingTables(this MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: OutboxTable,
            columns: table => new
            {
                Sequence = table.Column<long>(nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                MessageId = table.Column<Guid>(nullable: false),
                MessageType = table.Column<string>(nullable: false),
                Payload = table.Column<string>(nullable: false),
                AggregateKey = table.Column<string>(nullable: true),
                CreatedAt = table.Column<DateTime>(nullable: false),
                SentAt = table.Column<DateTime>(nullable: true),
                Attempts = table.Column<int>(nullable: false),
                NextAttemptAt = table.Column<DateTime>(nullable: true),
                LastError = table.Column<string>(nullable: true),
            },
            constraints: table => table.PrimaryKey($"PK_{OutboxTable}", x => x.Sequence));
        migrationBuilder.CreateIndex($"IX_{OutboxTable}_MessageId", OutboxTable, "MessageId", unique: true);
        migrationBuilder.CreateIndex($"IX_{OutboxTable}_Unsent", OutboxTable, "Sequence", filter: UnsentFilter);
        migrationBuilder.CreateIndex($"IX_{OutboxTable}_Unsent_AggregateKey", OutboxTable, ["AggregateKey", "Sequence"], filter: UnsentFilter);
        migrationBuilder.CreateIndex($"IX_{OutboxTable}_SentAt", OutboxTable, "SentAt");

        migrationBuilder.CreateTable(
            name: InboxTable,
            columns: table => new
            {
                MessageId = table.Column<Guid>(nullable: false),
                Consumer = table.Column<string>(nullable: false),
                ReceivedAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table => table.PrimaryKey($"PK_{InboxTable}", x => new { x.MessageId, x.Consumer }));
        migrationBuilder.CreateIndex($"IX_{InboxTable}_ReceivedAt", InboxTable, "ReceivedAt");
    }

    /// <summary>
    /// Adds the outbox's trace-context columns (<see cref="OutboxMessage.TraceParent"/>,
    /// <see cref="OutboxMessage.TraceState"/>) to a database made by <see cref="CreateMessagingTables"/>,
    /// in a hand-written migration of its own. Nullable, no column type: each provider picks its text
    /// type, existing rows keep no context, and adding them rewrites nothing.
    /// </summary>
    public static void AddOutboxTraceContext(this MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<string>(nameof(OutboxMessage.TraceParent), OutboxTable, nullable: true);
        migrationBuilder.AddColumn<string>(nameof(OutboxMessage.TraceState), OutboxTable, nullable: true);
    }

    public static void DropOutboxTraceContext(this MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropColumn(nameof(OutboxMessage.TraceState), OutboxTable);
        migrationBuilder.DropColumn(nameof(OutboxMessage.TraceParent), OutboxTable);
    }

    public static void DropMessagingTables(this MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(InboxTable);
        migrationBuilder.DropTable(OutboxTable);
    }

    internal static bool IsPostgres(this DbContext db) =>
        db.Database.ProviderName == "Npgsql.EntityFrameworkCore.PostgreSQL";

    /// <summary>The inbox's look-up by message ids, with the table and column names as the service's model maps them.</summary>
    internal sealed record InboxNames(string Lookup)
    {
        public static InboxNames From(DbContext db)
        {
            var (target, column) = Mapped<InboxMessage>(db, "inbox");
            var messageId = column(nameof(InboxMessage.MessageId));
            return new InboxNames($"SELECT {messageId}, {column(nameof(InboxMessage.Consumer))} FROM {target} WHERE {messageId} = ANY($1)");
        }
    }

    /// <summary>Table and column names as the service's model maps them (it may rename or use a schema).</summary>
    internal sealed record OutboxNames(string Table, string Sequence, string SentAt, string NextAttemptAt, string AggregateKey)
    {
        public static OutboxNames From(DbContext db)
        {
            var (target, column) = Mapped<OutboxMessage>(db, "outbox");
            return new OutboxNames(
                target,
                column(nameof(OutboxMessage.Sequence)),
                column(nameof(OutboxMessage.SentAt)),
                column(nameof(OutboxMessage.NextAttemptAt)),
                column(nameof(OutboxMessage.AggregateKey)));
        }
    }

    /// <summary>The quoted (schema-qualified) table of <typeparamref name="T"/> and its quoted column names, as the service's model maps them.</summary>
    private static (string Table, Func<string, string> Column) Mapped<T>(DbContext db, string what)
    {
        var entity = db.Model.FindEntityType(typeof(T))
            ?? throw new InvalidOperationException($"{db.GetType().Name} has no {what}: call modelBuilder.AddMessaging() in OnModelCreating.");
        var table = entity.GetTableName()!;
        var schema = entity.GetSchema();
        var store = StoreObjectIdentifier.Table(table, schema);
        return (schema is null ? Quote(table) : $"{Quote(schema)}.{Quote(table)}",
            property => Quote(entity.FindProperty(property)!.GetColumnName(store)!));
    }

    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";
}
