using System.Diagnostics;
using System.Text.RegularExpressions;
using Npgsql;
using Testing;

namespace FaultTolerance.Tests;

/// <summary>What the databases hold for one consultation, read directly with Npgsql.</summary>
public sealed record Holdings(
    IReadOnlyList<(Guid ResponseId, string RequestId)> Stored,
    IReadOnlyList<(Guid MessageId, string ResponseId, bool Sent)> Outbox,
    IReadOnlyList<string> Counted,
    IReadOnlyDictionary<Guid, int> IgnoredByInbox)
{
    public int Published => Outbox.Count(o => o.Sent);

    public int BrokerDuplicatesSuppressed => IgnoredByInbox.Values.Sum();
}

/// <summary>
/// Reads what each service holds for a consultation: the Consultations database's "Responses" rows
/// and its outbox's ResponsePublished rows (sent or not), the Reporting database's
/// "ConsultationResponses" rows, and the duplicates Reporting's inbox ignored (its Debug log lines).
/// </summary>
public sealed partial class Ledger(ServiceCluster cluster, string consultationId)
{
    public async Task<Holdings> ReadAsync()
    {
        var stored = new List<(Guid, string)>();
        var outbox = new List<(Guid, string, bool)>();
        await using (var consultations = new NpgsqlConnection(cluster.ConsultationsDatabase))
        {
            await consultations.OpenAsync();
            await using (var query = new NpgsqlCommand("""SELECT "Id", "RespondentName" FROM "Responses" WHERE "ConsultationId" = @c""", consultations))
            {
                query.Parameters.AddWithValue("c", Guid.Parse(consultationId));
                await using var rows = await query.ExecuteReaderAsync();
                while (await rows.ReadAsync())
                {
                    stored.Add((rows.GetGuid(0), rows.GetString(1)));
                }
            }

            await using (var query = new NpgsqlCommand(
                """
                SELECT "MessageId", "Payload"::jsonb ->> 'responseId', "SentAt" IS NOT NULL FROM "OutboxMessages"
                WHERE "MessageType" LIKE 'Wsis.Contracts.Events.ResponsePublished,%' AND "Payload"::jsonb ->> 'consultationId' = @c
                """, consultations))
            {
                query.Parameters.AddWithValue("c", consultationId);
                await using var rows = await query.ExecuteReaderAsync();
                while (await rows.ReadAsync())
                {
                    outbox.Add((rows.GetGuid(0), rows.GetString(1), rows.GetBoolean(2)));
                }
            }
        }

        var counted = new List<string>();
        await using (var reporting = new NpgsqlConnection(cluster.ReportingDatabase))
        {
            await reporting.OpenAsync();
            await using var query = new NpgsqlCommand("""SELECT "ResponseId" FROM "ConsultationResponses" WHERE "ConsultationId" = @c""", reporting);
            query.Parameters.AddWithValue("c", consultationId);
            await using var rows = await query.ExecuteReaderAsync();
            while (await rows.ReadAsync())
            {
                counted.Add(rows.GetString(0));
            }
        }

        var ours = outbox.Select(o => o.Item1).ToHashSet();
        var ignored = IgnoredMessages(cluster.Reporting.Tail(int.MaxValue))
            .Where(ours.Contains)
            .GroupBy(id => id)
            .ToDictionary(g => g.Key, g => g.Count());
        return new Holdings(stored, outbox, counted, ignored);
    }

    /// <summary>The consultation's ResponsePublished outbox rows: message id and JSON payload.</summary>
    public async Task<IReadOnlyList<(Guid MessageId, string Payload)>> PayloadsAsync()
    {
        var payloads = new List<(Guid, string)>();
        await using var connection = new NpgsqlConnection(cluster.ConsultationsDatabase);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand(
            """
            SELECT "MessageId", "Payload" FROM "OutboxMessages"
            WHERE "MessageType" LIKE 'Wsis.Contracts.Events.ResponsePublished,%' AND "Payload"::jsonb ->> 'consultationId' = @c
            """, connection);
        query.Parameters.AddWithValue("c", consultationId);
        await using var rows = await query.ExecuteReaderAsync();
        while (await rows.ReadAsync())
        {
            payloads.Add((rows.GetGuid(0), rows.GetString(1)));
        }

        return payloads;
    }

    /// <summary>
    /// Waits (bounded) until every accepted response is stored, published and counted, and nothing
    /// more is on its way; returns what is held then, settled or not (the caller asserts).
    /// </summary>
    public async Task<Holdings> SettleAsync(int accepted, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Holdings? holdings = null;
            try
            {
                holdings = await ReadAsync();
                if (holdings.Stored.Count >= accepted && holdings.Outbox.All(o => o.Sent) &&
                    holdings.Counted.Count >= holdings.Outbox.Select(o => o.ResponseId).Distinct().Count() ||
                    clock.Elapsed > timeout)
                {
                    return holdings;
                }
            }
            catch (NpgsqlException) when (clock.Elapsed < timeout)
            {
                // A database still recovering from the fault.
            }

            await Task.Delay(500);
        }
    }

    [GeneratedRegex(@"message (?<id>[0-9a-fA-F-]{36}) already applied by")]
    private static partial Regex IgnoredLine();

    private static IEnumerable<Guid> IgnoredMessages(string log) =>
        IgnoredLine().Matches(log).Select(m => Guid.Parse(m.Groups["id"].Value));
}
