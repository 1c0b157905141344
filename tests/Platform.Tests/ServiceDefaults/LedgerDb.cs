using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Data;

namespace Platform.Tests.ServiceDefaults;

/// <summary>A minimal service database: one business table and the idempotency records.</summary>
public sealed class LedgerDb(DbContextOptions<LedgerDb> options) : DbContext(options)
{
    public DbSet<LedgerEntry> Entries => Set<LedgerEntry>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<LedgerEntry>(e =>
        {
            e.ToTable("LedgerEntries");
            e.HasKey(x => x.Id);
            e.Property(x => x.Text).HasMaxLength(200);
        });
        modelBuilder.AddIdempotencyRecords();
    }
}

public sealed class LedgerEntry
{
    public Guid Id { get; set; }

    public required string Text { get; set; }
}

/// <summary>Written by hand, as services do: no provider-specific column types.</summary>
[DbContext(typeof(LedgerDb))]
[Migration("20261122000000_Initial")]
public sealed class LedgerInitial : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "LedgerEntries",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                Text = table.Column<string>(maxLength: 200, nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_LedgerEntries", x => x.Id));
        migrationBuilder.CreateIdempotencyRecords();
        migrationBuilder.CreateIdempotencyKeyIndex();
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIdempotencyRecords();
        migrationBuilder.DropTable("LedgerEntries");
    }
}
