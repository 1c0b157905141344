using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using NodaTime;
using Platform.Data;
using Platform.Messaging;
using Testing;
using Wsis.Teams.Data;
using Wsis.Teams.Model;
using Wsis.Teams.Tests.Data.HandWrittenMigrations;
using Wsis.Teams.Tests.Model;

namespace Wsis.Teams.Tests.Data;

/// <summary>The generated migrations (one set per provider) against the model and against databases made by the hand-written ones and by the generated ones before the tables were renamed.</summary>
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
            provider, TeamsModule.DatabaseName, lastHandWritten, options => new HandWrittenTeamsDbContext(options), db => FillAsync(db, withHistory: false),
            NewDatabaseHasTheSameCatalogue, TablesBeforePascalCase.Renamed);

    /// <summary>The last migration before the tables took PascalCase names (issue 25: one naming convention across the services).</summary>
    private const string LastBeforePascalCase = "20261208100000_HistoryEntries";

    [Fact]
    public Task A_SQLite_database_stopped_before_the_PascalCase_table_names_keeps_every_row_under_the_new_names() =>
        UpgradeFromBeforePascalCase(DatabaseProvider.Sqlite);

    [Fact]
    public Task A_PostgreSQL_database_stopped_before_the_PascalCase_table_names_keeps_every_row_under_the_new_names() =>
        UpgradeFromBeforePascalCase(DatabaseProvider.Postgres);

    [Fact]
    public void The_migration_after_the_last_snake_case_one_is_the_rename_on_both_providers()
    {
        using var sqlite = new SqliteTeamsDbContext(new DbContextOptionsBuilder<SqliteTeamsDbContext>().UseSqlite("Data Source=:memory:").Options);
        using var postgres = new PostgresTeamsDbContext(new DbContextOptionsBuilder<PostgresTeamsDbContext>().UseNpgsql("Host=localhost;Database=unused").Options);
        Assert.Equal("20261209000000_PascalCaseTables", sqlite.Database.GetMigrations().SkipWhile(id => id != LastBeforePascalCase).Skip(1).First());
        Assert.Equal("20261209000000_PascalCaseTables", postgres.Database.GetMigrations().SkipWhile(id => id != LastBeforePascalCase).Skip(1).First());
    }

    // A database the generated migrations made up to LastBeforePascalCase (as the service left it), filled
    // through today's model on the former table names, then today's database set-up on it.
    private static Task UpgradeFromBeforePascalCase(DatabaseProvider provider) =>
        MigrationUpgrade.KeepsEveryRowAndGetsANewDatabasesSchemaAsync<TeamsDbContext, SqliteTeamsDbContext, PostgresTeamsDbContext>(
            provider, TeamsModule.DatabaseName, LastBeforePascalCase,
            async oldDatabase =>
            {
                await using (var db = Context(provider, oldDatabase))
                {
                    await db.GetService<IMigrator>().MigrateAsync(LastBeforePascalCase);
                }

                await using var before = new TeamsDbContextBeforePascalCase(MigrationUpgrade.Options<TeamsDbContextBeforePascalCase>(provider, oldDatabase));
                await FillAsync(before, withHistory: true);
            },
            TheServiceReadsEveryTableUnderItsNewName, TablesBeforePascalCase.Renamed);

    private static TeamsDbContext Context(DatabaseProvider provider, string connectionString) => provider == DatabaseProvider.Postgres
        ? new PostgresTeamsDbContext(MigrationUpgrade.Options<PostgresTeamsDbContext>(provider, connectionString))
        : new SqliteTeamsDbContext(MigrationUpgrade.Options<SqliteTeamsDbContext>(provider, connectionString));

    /// <summary>
    /// No former name is left; each renamed table has the rows its former self had; and today's model
    /// reads a few of their values back (the rows themselves are compared by MigrationUpgrade).
    /// </summary>
    private static async Task TheServiceReadsEveryTableUnderItsNewName(MigrationUpgrade.Databases databases)
    {
        await NewDatabaseHasTheSameCatalogue(databases);
        var counts = await DatabaseContents.RowCountsAsync(databases.Upgraded);
        Assert.Empty(counts.Keys.Intersect(TablesBeforePascalCase.Renamed.Keys));
        var countsBefore = databases.RowsBefore.GroupBy(r => r[..r.IndexOf(": ", StringComparison.Ordinal)]).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(TablesBeforePascalCase.Renamed.Values, table => Assert.Equal(countsBefore[table], counts[table]));
        Assert.Equal(
            [("ActionLines", 19), ("Ballots", 2), ("CoordinationModalities", 1), ("CoordinatorDesignations", 2), ("CoordinatorsMeetings", 1), ("FundingLines", 2), ("HistoryEntries", countsBefore["HistoryEntries"]),
             ("MeetingRegistrations", 1), ("OfficerNominations", 2), ("Stakeholders", 2), ("StocktakingProcedures", 1), ("TeamMeetings", 1), ("TeamMemberships", 1), ("Teams", 2)],
            counts.Where(t => t.Key is not ("IdempotencyRecords" or "InboxMessages" or "OutboxMessages") && !t.Key.StartsWith("__", StringComparison.Ordinal) && t.Key != "sqlite_sequence")
                .OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => (t.Key, t.Value)));

        // On the connection itself: an open Npgsql connection's string no longer holds the password.
        await using var db = databases.Provider == DatabaseProvider.Postgres
            ? new PostgresTeamsDbContext(new DbContextOptionsBuilder<PostgresTeamsDbContext>().UseNpgsql(databases.Upgraded).Options)
            : (TeamsDbContext)new SqliteTeamsDbContext(new DbContextOptionsBuilder<SqliteTeamsDbContext>().UseSqlite(databases.Upgraded).Options);
        var a = await db.Stakeholders.SingleAsync(s => s.Name == "A");
        var b = await db.Stakeholders.SingleAsync(s => s.Name == "B");
        Assert.Equal(("CH", "US"), (a.CountryCode, b.CountryCode));
        var team = await db.Teams.Include(t => t.Memberships).Include(t => t.Designations).Include(t => t.Modalities).SingleAsync(t => t.ActionLineCode == "C1");
        Assert.Equal(a.Id, team.DesignatedCoordinator!.StakeholderId);
        Assert.Equal("UN SG letter 2026/17", team.DesignatedCoordinator.DecisionReference);
        Assert.Equal([b.Id], team.CurrentMembers.Select(m => m.StakeholderId));
        Assert.Equal("Monthly calls; decisions by consensus", team.CurrentModalities!.Text);
        var meeting = await db.CoordinatorsMeetings.Include(m => m.Funding).Include(m => m.Ballots).Include(m => m.StocktakingProcedures).SingleAsync();
        Assert.Equal(a.Id, meeting.ChairId);
        Assert.Equal([b.Id], meeting.ViceChairIds);
        Assert.Equal([("CHF", 100L), ("EUR", 200L)], meeting.Funding.Select(f => (f.Currency, f.AmountMinor)).Order());
        Assert.Equal(["title", "url"], meeting.StocktakingProcedures.Single(p => p.Year == 2027).RequiredFields);
        var teamMeeting = await db.TeamMeetings.Include(m => m.Registrations).SingleAsync();
        Assert.Equal((team.Id, b.Id), (teamMeeting.TeamId, teamMeeting.Registrations.Single().StakeholderId));
    }

    private static async Task FillAsync(TeamsDbContext db, bool withHistory)
    {
        var (team, meeting) = FillEveryTable(db, withHistory);
        await db.SaveChangesAsync();
        await AddOutboxRows(db);
        Assert.Contains(team.Id, await db.Teams.Select(t => t.Id).ToListAsync());
        Assert.Equal(meeting.Id, (await db.CoordinatorsMeetings.SingleAsync()).Id);
    }

    // The seed data of a new database is the catalogue the first migration inserted.
    private static async Task NewDatabaseHasTheSameCatalogue(MigrationUpgrade.Databases databases)
    {
        var catalogue = databases.RowsBefore.Where(r => r.StartsWith("ActionLines:", StringComparison.Ordinal)).ToList();
        Assert.Equal(19, catalogue.Count);
        Assert.Equal(catalogue, (await DatabaseContents.RowsAsync(databases.Created)).Where(r => r.StartsWith("ActionLines:", StringComparison.Ordinal)));
    }

    /// <param name="withHistory">Also the history lines the aggregates recorded (the table exists from <c>20261208100000_HistoryEntries</c>).</param>
    private static (Team Team, CoordinatorsMeeting Meeting) FillEveryTable(TeamsDbContext db, bool withHistory)
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
        if (withHistory)
        {
            db.AddRange(teamA.TakeNewHistory().Concat(teamB.TakeNewHistory()).Concat(teamMeeting.TakeNewHistory()).Concat(m.TakeNewHistory()));
        }

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
