using Microsoft.EntityFrameworkCore;
using NodaTime;
using Platform.Data;
using Platform.Messaging;
using Testing;
using Wsis.Teams.Data;
using Wsis.Teams.Model;
using Wsis.Teams.Tests.Data.HandWrittenMigrations;
using Wsis.Teams.Tests.Model;

namespace Wsis.Teams.Tests.Data;

/// <summary>The generated migrations (one set per provider) against the model and against databases made by the hand-written ones.</summary>
public sealed class MigrationTests
{
    [Fact]
    public void The_model_has_no_change_missing_from_the_SQLite_migrations()
    {
        using var db = new SqliteTeamsDbContext(new DbContextOptionsBuilder<SqliteTeamsDbContext>().UseSqlite("Data Source=:memory:").Options);
        Assert.False(db.Database.HasPendingModelChanges(), "run dotnet ef migrations add (services/Teams/README.md)");
    }

    [Fact]
    public void The_model_has_no_change_missing_from_the_PostgreSQL_migrations()
    {
        // Comparing the model with the snapshot does not connect.
        using var db = new PostgresTeamsDbContext(new DbContextOptionsBuilder<PostgresTeamsDbContext>().UseNpgsql("Host=localhost;Database=unused").Options);
        Assert.False(db.Database.HasPendingModelChanges(), "run dotnet ef migrations add (services/Teams/README.md)");
    }

    [Fact]
    public void The_generated_migrations_keep_the_hand_written_ids_and_every_later_one_sorts_after_them()
    {
        // A database the hand-written migrations made lists these ids. Ids sort by their timestamp:
        // one generated before 2026-12-08 would sort among them (services/Teams/README.md, Migrations).
        using var sqlite = new SqliteTeamsDbContext(new DbContextOptionsBuilder<SqliteTeamsDbContext>().UseSqlite("Data Source=:memory:").Options);
        using var postgres = new PostgresTeamsDbContext(new DbContextOptionsBuilder<PostgresTeamsDbContext>().UseNpgsql("Host=localhost;Database=unused").Options);
        Assert.Equal(HandWrittenIds, sqlite.Database.GetMigrations().Take(3));
        Assert.Equal(HandWrittenIds, postgres.Database.GetMigrations().Take(3));
    }

    private static readonly string[] HandWrittenIds = ["20261122100000_Initial", "20261122170000_IdempotencyKeyIndex", "20261208000000_OutboxTraceContext"];

    [Theory]
    [InlineData("20261122100000_Initial")]
    [InlineData("20261122170000_IdempotencyKeyIndex")]
    [InlineData("20261208000000_OutboxTraceContext")]
    public Task A_SQLite_database_made_by_the_hand_written_migrations_keeps_every_row_and_gets_a_new_database_s_schema(string lastHandWritten) =>
        Upgrade(DatabaseProvider.Sqlite, lastHandWritten);

    [Theory]
    [InlineData("20261122100000_Initial")]
    [InlineData("20261122170000_IdempotencyKeyIndex")]
    [InlineData("20261208000000_OutboxTraceContext")]
    public Task A_PostgreSQL_database_made_by_the_hand_written_migrations_keeps_every_row_and_gets_a_new_database_s_schema(string lastHandWritten) =>
        Upgrade(DatabaseProvider.Postgres, lastHandWritten);

    // The shared part (old database, upgrade at start, rows and schema compared): tests/Testing/MigrationUpgrade.cs.
    private static Task Upgrade(DatabaseProvider provider, string lastHandWritten) =>
        MigrationUpgrade.KeepsEveryRowAndGetsANewDatabasesSchemaAsync<TeamsDbContext, SqliteTeamsDbContext, PostgresTeamsDbContext, HandWrittenTeamsDbContext>(
            provider, TeamsModule.DatabaseName, lastHandWritten, options => new HandWrittenTeamsDbContext(options), FillAsync, NewDatabaseHasTheSameCatalogue);

    private static async Task FillAsync(TeamsDbContext db)
    {
        var (team, meeting) = FillEveryTable(db);
        await db.SaveChangesAsync();
        await AddOutboxRows(db);
        Assert.Contains(team.Id, await db.Teams.Select(t => t.Id).ToListAsync());
        Assert.Equal(meeting.Id, (await db.CoordinatorsMeetings.SingleAsync()).Id);
    }

    // The seed data of a new database is the catalogue the hand-written migration inserted.
    private static async Task NewDatabaseHasTheSameCatalogue(MigrationUpgrade.Databases databases) =>
        Assert.Equal(
            databases.RowsBefore.Where(r => r.StartsWith("action_lines:", StringComparison.Ordinal)),
            (await DatabaseContents.RowsAsync(databases.Created)).Where(r => r.StartsWith("action_lines:", StringComparison.Ordinal)));

    private static (Team Team, CoordinatorsMeeting Meeting) FillEveryTable(TeamsDbContext db)
    {
        var a = Given.Stakeholder("A", country: "CH");
        var b = Given.Stakeholder("B", StakeholderCategory.CivilSociety, "US");
        var teamA = Given.TeamCoordinatedBy(a, "C1");
        var teamB = Given.TeamCoordinatedBy(b, "C7.E-HEALTH");
        teamA.Join(b, Given.StakeholderActor(b), Given.Now);
        teamA.SetCoordinationModalities("Monthly calls; decisions by consensus", Given.Secretariat, Given.Now);
        var teamMeeting = teamA.ScheduleMeeting("Kick-off", Given.Now.Plus(Duration.FromDays(1)), Given.Now.Plus(Duration.FromDays(2)), "Geneva", "Agenda", Given.Secretariat, Given.Now);
        teamMeeting.Register(b, Given.StakeholderActor(b), Given.Now);
        var electorate = Electorate.Of([teamA, teamB]);
        var m = CoordinatorsMeeting.Convene(Given.Now.Plus(Duration.FromDays(5)), "Geneva", [(Funder.Itu, Money.Of(100, "CHF", "f")), (Funder.Unesco, Money.Of(200, "EUR", "f"))], 2, Given.Secretariat, Given.Now);
        m.NominateOfficer(Office.Chair, a.Id, electorate, Given.Secretariat, Given.Now);
        m.NominateOfficer(Office.ViceChair, b.Id, electorate, Given.Secretariat, Given.Now);
        m.CastVote(Office.Chair, [a.Id], electorate, Given.CoordinatorActor(b), Given.Now);
        m.CastVote(Office.ViceChair, [b.Id], electorate, Given.CoordinatorActor(a), Given.Now);
        m.CloseElection(Given.Secretariat, Given.Now);
        m.SetStocktakingProcedures(2027, Given.Now.Plus(Duration.FromDays(100)), ["title", "url"], Given.CoordinatorActor(a), Given.Now);
        db.AddRange(a, b, teamA, teamB, teamMeeting, m);

        db.Add(new IdempotencyRecord
        {
            Key = "request-1", Operation = "teams.v1.Teams/CreateTeam", CallerSubject = "sec-1",
            ResponseType = "teams.v1.Team", ResponseBytes = [1, 2, 3], CreatedAt = Given.Now.ToDateTimeOffset(),
        });
        db.Add(new InboxMessage { MessageId = Guid.CreateVersion7(), Consumer = "teams", ReceivedAt = Given.Now.ToDateTimeUtc() });
        return (teamA, m);
    }

    // In SQL, not through the model: before 20261208000000_OutboxTraceContext the outbox has no
    // trace-context columns, which the model maps.
    private static Task AddOutboxRows(DbContext db) => db.Database.ExecuteSqlRawAsync("""
        INSERT INTO "OutboxMessages" ("MessageId", "MessageType", "Payload", "AggregateKey", "CreatedAt", "SentAt", "Attempts")
        VALUES ('0199a1b2-0000-7000-8000-000000000001', 'Contracts.Events.TeamCreated', '[1]', 'aggregate-1', '2026-11-22 09:00:00', '2026-11-22 09:00:01', 1),
               ('0199a1b2-0000-7000-8000-000000000002', 'Contracts.Events.TeamCreated', '[2]', 'aggregate-2', '2026-11-22 09:00:00', NULL, 0)
        """);
}
