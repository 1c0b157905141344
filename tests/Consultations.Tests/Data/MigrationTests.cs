using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Testing;
using Wsis.Consultations.Data;
using Wsis.Consultations.Tests.HandWrittenMigrations;
using Xunit;

namespace Wsis.Consultations.Tests.Data;

/// <summary>The generated migrations (one set per provider) against the model and against databases made by the hand-written ones.</summary>
public sealed class MigrationTests
{
    private static readonly string[] HandWrittenIds =
    [
        "20261122100000_InitialCreate", "20261122110000_Messaging", "20261122170000_IdempotencyKeyIndex", "20261207200000_ResponseSearch",
        "20261208000000_OutboxTraceContext", "20261215000000_PublishedRecordsAndLog", "20261215010000_SenderVerification",
    ];

    [Fact]
    public void The_model_has_no_change_missing_from_the_SQLite_migrations()
    {
        using var db = Sqlite();
        Assert.False(db.Database.HasPendingModelChanges(), "run dotnet ef migrations add (services/Consultations/README.md)");
    }

    [Fact]
    public void The_model_has_no_change_missing_from_the_PostgreSQL_migrations()
    {
        // Comparing the model with the snapshot does not connect.
        using var db = Postgres();
        Assert.False(db.Database.HasPendingModelChanges(), "run dotnet ef migrations add (services/Consultations/README.md)");
    }

    [Fact]
    public void The_generated_migrations_keep_the_hand_written_ids_and_every_later_one_sorts_after_them()
    {
        // A database the hand-written migrations made lists these ids. Ids sort by their timestamp:
        // one generated before 2026-12-15 01:00 would sort among them (services/Consultations/README.md, Migrations).
        using var sqlite = Sqlite();
        using var postgres = Postgres();
        Assert.Equal(HandWrittenIds, sqlite.Database.GetMigrations().Take(HandWrittenIds.Length));
        Assert.Equal(HandWrittenIds, postgres.Database.GetMigrations().Take(HandWrittenIds.Length));
    }

    [Theory]
    [InlineData("20261122100000_InitialCreate")]
    [InlineData("20261122110000_Messaging")]
    [InlineData("20261122170000_IdempotencyKeyIndex")]
    [InlineData("20261207200000_ResponseSearch")]
    [InlineData("20261208000000_OutboxTraceContext")]
    [InlineData("20261215000000_PublishedRecordsAndLog")]
    [InlineData("20261215010000_SenderVerification")]
    public Task A_SQLite_database_made_by_the_hand_written_migrations_keeps_every_row_and_gets_a_new_database_s_schema(string lastHandWritten) =>
        Upgrade(DatabaseProvider.Sqlite, lastHandWritten);

    [Theory]
    [InlineData("20261122100000_InitialCreate")]
    [InlineData("20261122110000_Messaging")]
    [InlineData("20261122170000_IdempotencyKeyIndex")]
    [InlineData("20261207200000_ResponseSearch")]
    [InlineData("20261208000000_OutboxTraceContext")]
    [InlineData("20261215000000_PublishedRecordsAndLog")]
    [InlineData("20261215010000_SenderVerification")]
    public Task A_PostgreSQL_database_made_by_the_hand_written_migrations_keeps_every_row_and_gets_a_new_database_s_schema(string lastHandWritten) =>
        Upgrade(DatabaseProvider.Postgres, lastHandWritten);

    // The shared part (old database, upgrade at start, rows and schema compared): tests/Testing/MigrationUpgrade.cs.
    private static Task Upgrade(DatabaseProvider provider, string lastHandWritten) =>
        MigrationUpgrade.KeepsEveryRowAndGetsANewDatabasesSchemaAsync<ConsultationsDbContext, SqliteConsultationsDbContext, PostgresConsultationsDbContext, HandWrittenConsultationsDbContext>(
            provider, ConsultationsModule.DatabaseName, lastHandWritten, options => new HandWrittenConsultationsDbContext(options),
            db => FillEveryTable(db, Array.IndexOf(HandWrittenIds, lastHandWritten) + 1, provider),
            async databases =>
            {
                await SearchFindsTheResponsesStoredBefore(databases);
                await LogIndexesMovedToResponseLeaves(databases);
            },
            movedColumns: ["Responses.LogIndex"]);

    /// <summary>
    /// <c>ResponseLeaves</c> (20261218000000): every response that had a log index keeps it there, and
    /// only those have a row.
    /// </summary>
    private static async Task LogIndexesMovedToResponseLeaves(MigrationUpgrade.Databases databases)
    {
        var expected = databases.RowsBefore
            .Where(row => row.StartsWith("Responses: ", StringComparison.Ordinal) && row.Contains("LogIndex=", StringComparison.Ordinal))
            .Select(row => row[11..].Split(" | ").ToDictionary(c => c[..c.IndexOf('=', StringComparison.Ordinal)], c => c[(c.IndexOf('=', StringComparison.Ordinal) + 1)..]))
            .Where(columns => columns["LogIndex"] != "NULL")
            .Select(columns => $"{columns["Id"]} {columns["LogIndex"]}")
            .Order(StringComparer.Ordinal).ToList();
        var leaves = (await DatabaseContents.RowsAsync(databases.Upgraded))
            .Where(row => row.StartsWith("ResponseLeaves: ", StringComparison.Ordinal))
            .Select(row => row[16..].Split(" | ").ToDictionary(c => c[..c.IndexOf('=', StringComparison.Ordinal)], c => c[(c.IndexOf('=', StringComparison.Ordinal) + 1)..]))
            .Select(columns => $"{columns["ResponseId"]} {columns["LogIndex"]}")
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, leaves);
    }

    /// <summary>
    /// The full-text search beside the model: SQLite's FTS5 table and its triggers (PostgreSQL's GIN
    /// index is in the schema compared) index the responses stored before the upgrade.
    /// </summary>
    private static async Task SearchFindsTheResponsesStoredBefore(MigrationUpgrade.Databases databases)
    {
        if (databases.Provider == DatabaseProvider.Sqlite)
        {
            Assert.Equal(await TriggersAsync(databases.Created), await TriggersAsync(databases.Upgraded));
            Assert.Equal(["TRIGGER Responses_Search_Delete", "TRIGGER Responses_Search_Insert"], (await TriggersAsync(databases.Upgraded)).Select(t => t[..t.IndexOf(':', StringComparison.Ordinal)]));
            Assert.Equal("1", await ScalarAsync(databases.Upgraded, """SELECT COUNT(*) FROM "ResponsesSearch" WHERE "ResponsesSearch" MATCH 'broadband'"""));
        }
        else
        {
            Assert.Equal("1", await ScalarAsync(databases.Upgraded, """SELECT COUNT(*) FROM "Responses" WHERE to_tsvector('simple', "Text") @@ plainto_tsquery('simple', 'broadband')"""));
        }
    }

    private static async Task<List<string>> TriggersAsync(DbConnection connection)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name";
        await using var reader = await command.ExecuteReaderAsync();
        var triggers = new List<string>();
        while (await reader.ReadAsync())
        {
            triggers.Add($"TRIGGER {reader.GetString(0)}: {reader.GetString(1)}");
        }

        return triggers;
    }

    private static async Task<string> ScalarAsync(DbConnection connection, string sql)
    {
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await connection.OpenAsync();
        }

        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture)!;
    }

    /// <summary>
    /// Rows in every table the hand-written migrations made up to <paramref name="steps"/>, in SQL: the
    /// model maps columns the earlier schemas do not have. Texts for GUIDs (upper case, as EF Core writes
    /// them on SQLite), ticks for instants, parameters for binary values.
    /// </summary>
    private static async Task FillEveryTable(DbContext db, int steps, DatabaseProvider provider)
    {
        var (yes, no) = provider == DatabaseProvider.Postgres ? ("TRUE", "FALSE") : ("1", "0");
        const string Meeting = "0199A1B2-0000-7000-8000-0000000000A1";
        const string Consultation = "0199A1B2-0000-7000-8000-0000000000B1";
        const string Routed = "0199A1B2-0000-7000-8000-0000000000C1";
        const string Unrouted = "0199A1B2-0000-7000-8000-0000000000C2";
        // Values of this test alone, no input: formatted into the SQL, binary values as parameters.
        var meetingAndConsultation = $"""
            INSERT INTO "GroupMeetings" ("Id", "StartsOn", "Venue", "CreatedAt") VALUES ('{Meeting}', '2026-12-01', 'Geneva', 639000000000000000);
            INSERT INTO "Consultations" ("Id", "MeetingId", "Title", "IssueText", "QuestionsJson", "ClosesAt", "Status", "RoutingCode",
                "PublishedResponseCount", "OpenedAt", "OpenedBySubject", "OpenedByCountryCode", "ClosedAt", "ResponsesDigest",
                "ExaminedAtMeetingId", "ExaminedAt", "ResultsSummary", "ResultsPublishedAt")
            VALUES ('{Consultation}', '{Meeting}', 'Rural connectivity', 'How to connect rural schools', '["Which obstacles?"]', 639100000000000000, 3, 'rural-2026',
                1, 639000000000000001, 'secretariat-1', 'CH', 639100000000000001, 'ABCDEF', '{Meeting}', 639100000000000002, 'Most ask for spectrum.', 639100000000000003);
            """;
        await db.Database.ExecuteSqlRawAsync(meetingAndConsultation);
        // Values of this test alone, no input: formatted into the SQL, binary values as parameters.
        var responses = $$"""
            INSERT INTO "Responses" ("Id", "ConsultationId", "TrackingNumber", "Channel", "ReceivedAt", "Content", "Sha256", "Text", "Subject",
                "RespondentName", "RespondentOrganisation", "RespondentCategory", "RespondentCountryCode", "RespondentEmail", "Late", "Published", "ProblemsJson", "EnvelopeRecipient")
            VALUES ('{{Routed}}', '{{Consultation}}', 'WSIS-2026-000001', 1, 639050000000000000, {0}, 'AA', 'Affordable broadband for rural schools', 'Reply',
                    'Ada', 'Example NGO', 3, 'KE', 'ada@example.org', {{no}}, {{yes}}, '[]', 'rural-2026@consultations.example'),
                   ('{{Unrouted}}', NULL, 'WSIS-2026-000002', 2, 639050000000000001, {1}, 'BB', 'Unaddressed message about spectrum', 'Hello',
                    'Bo', 'Example Ltd', 4, 'FR', 'bo@example.com', {{yes}}, {{no}}, '["no consultation"]', 'unknown@consultations.example');
            INSERT INTO "ResponseAttachments" ("ResponseId", "Index", "FileName", "MediaType", "Size", "Sha256", "Content")
            VALUES ('{{Routed}}', 0, 'paper.pdf', 'application/pdf', 3, 'CC', {2});
            INSERT INTO "IdempotencyRecords" ("Key", "Operation", "CallerSubject", "ResponseType", "ResponseBytes", "CreatedAt")
            VALUES ('request-1', 'consultations.v1.Consultations/SubmitResponse', 'respondent-1', 'consultations.v1.SubmitResponseResponse', {3}, '2026-11-22 09:00:00+00:00');
            """;
        await db.Database.ExecuteSqlRawAsync(responses, new byte[] { 1, 2, 3 }, new byte[] { 4, 5 }, new byte[] { 6, 7, 8 }, new byte[] { 9 });
        if (steps >= 2)
        {
            await db.Database.ExecuteSqlRawAsync("""
                INSERT INTO "OutboxMessages" ("MessageId", "MessageType", "Payload", "AggregateKey", "CreatedAt", "SentAt", "Attempts")
                VALUES ('0199A1B2-0000-7000-8000-000000000001', 'Contracts.Events.ConsultationOpened', '[1]', 'aggregate-1', '2026-11-22 09:00:00', '2026-11-22 09:00:01', 1),
                       ('0199A1B2-0000-7000-8000-000000000002', 'Contracts.Events.ResponsePublished', '[2]', 'aggregate-2', '2026-11-22 09:00:00', NULL, 0);
                INSERT INTO "InboxMessages" ("MessageId", "Consumer", "ReceivedAt") VALUES ('0199A1B2-0000-7000-8000-000000000003', 'consultations', '2026-11-22 09:00:02');
                """);
        }

        if (steps >= 6)
        {
            // Values of this test alone, no input: formatted into the SQL, binary values as parameters.
            var log = $$"""
                UPDATE "Responses" SET "PublishedRecord" = {0}, "PublishedSha256" = 'DD', "LogIndex" = 0 WHERE "Id" = '{{Routed}}';
                INSERT INTO "LogHeads" ("ConsultationId", "Size", "Frontier") VALUES ('{{Consultation}}', 1, {1});
                INSERT INTO "LogNodes" ("ConsultationId", "Level", "Index", "Hash") VALUES ('{{Consultation}}', 0, 0, {1});
                INSERT INTO "LogCheckpoints" ("ConsultationId", "Size", "Root", "SignedAt", "Text", "Signature", "KeyId")
                VALUES ('{{Consultation}}', 1, {1}, 639050000000000002, 'checkpoint', {2}, 'key-1');
                """;
            await db.Database.ExecuteSqlRawAsync(log, new byte[] { 10, 11 }, new byte[] { 12 }, new byte[] { 13, 14 });
        }

        if (steps >= 7)
        {
            // Values of this test alone, no input: formatted into the SQL, binary values as parameters.
            var senderVerification = $"""UPDATE "Responses" SET "DkimResult" = 1, "DkimDomain" = 'example.org' WHERE "Id" = '{Routed}'""";
            await db.Database.ExecuteSqlRawAsync(senderVerification);
        }
    }

    private static SqliteConsultationsDbContext Sqlite() =>
        new(new DbContextOptionsBuilder<SqliteConsultationsDbContext>().UseSqlite("Data Source=:memory:").Options);

    private static PostgresConsultationsDbContext Postgres() =>
        new(new DbContextOptionsBuilder<PostgresConsultationsDbContext>().UseNpgsql("Host=localhost;Database=unused").Options);
}
