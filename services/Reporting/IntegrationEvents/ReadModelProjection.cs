using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Wsis.Reporting.Data;
using Wsis.Reporting.Model;

namespace Wsis.Reporting.IntegrationEvents;

/// <summary>
/// Applies facts to the stored read models: loads the one row a fact is about (or starts it),
/// lets the model's own rule decide, and leaves saving to the caller so the change commits with
/// the inbox record. The rules are idempotent and order-tolerant themselves, so a redelivery
/// that slipped past the inbox would still change nothing.
/// </summary>
public sealed class ReadModelProjection(ReportingDbContext db)
{
    /// <summary>Response ids looked up for a whole batch (<see cref="PrepareAsync"/>), and those of them stored or added since.</summary>
    private readonly HashSet<string> _responsesLookedUp = new(StringComparer.Ordinal);
    private readonly HashSet<string> _responsesStored = new(StringComparer.Ordinal);

    /// <summary>
    /// Loads, in one query each, the consultation rows (tracked) and the ids of the already stored
    /// responses that a batch of responses refers to, so applying each fact needs no round trip.
    /// </summary>
    public async Task PrepareAsync(IReadOnlyCollection<ResponsePublication> facts, CancellationToken ct)
    {
        var consultationIds = facts.Select(f => f.ConsultationId).Distinct().ToList();
        await db.Consultations.Where(c => consultationIds.Contains(c.ConsultationId)).LoadAsync(ct);
        var responseIds = facts.Select(f => f.ResponseId).Distinct().ToList();
        _responsesStored.UnionWith(db.Database.IsNpgsql()
            ? await StoredResponsesOnPostgresAsync(responseIds, ct)
            : await db.ConsultationResponses.Where(r => responseIds.Contains(r.ResponseId)).Select(r => r.ResponseId).ToListAsync(ct));
        _responsesLookedUp.UnionWith(responseIds);
    }

    /// <summary>The batch's look-up as one Npgsql command (EF Core's query pipeline cost more CPU than the database's work for it).</summary>
    private async Task<List<string>> StoredResponsesOnPostgresAsync(List<string> responseIds, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = db.Database.CreateNpgsqlCommand(
                """SELECT "ResponseId" FROM "ConsultationResponses" WHERE "ResponseId" = ANY($1)""");
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = responseIds.ToArray() });
            var found = new List<string>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                found.Add(reader.GetString(0));
            }

            return found;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    public async Task<bool> ApplyAsync(StakeholderRegistration f, CancellationToken ct) =>
        Changed(await Row(db.Stakeholders, f.StakeholderId, StakeholderRecord.For, ct), r => r.Apply(f));

    public async Task<bool> ApplyAsync(TeamCreation f, CancellationToken ct) =>
        Changed(await Row(db.TeamCoordinations, f.TeamId, TeamCoordination.For, ct), r => r.Apply(f));

    public async Task<bool> ApplyAsync(CoordinatorDesignation f, CancellationToken ct) =>
        Changed(await Row(db.TeamCoordinations, f.TeamId, TeamCoordination.For, ct), r => r.Apply(f));

    public async Task<bool> ApplyAsync(CoordinatorsMeetingConvening f, CancellationToken ct) =>
        Changed(await Row(db.CoordinatorsMeetings, f.MeetingId, CoordinatorsMeetingRecord.For, ct), r => r.Apply(f));

    public async Task<bool> ApplyAsync(OfficerElection f, CancellationToken ct) =>
        Changed(await Row(db.CoordinatorsMeetings, f.MeetingId, CoordinatorsMeetingRecord.For, ct), r => r.Apply(f));

    public async Task<bool> ApplyAsync(StocktakingProcedureSetting f, CancellationToken ct) =>
        Changed(await Row(db.StocktakingProcedures, f.Year, StocktakingProcedure.For, ct), r => r.Apply(f));

    public async Task<bool> ApplyAsync(ConsultationOpening f, CancellationToken ct) =>
        Changed(await Row(db.Consultations, f.ConsultationId, ConsultationRecord.For, ct), r => r.Apply(f));

    public async Task<bool> ApplyAsync(ConsultationClosing f, CancellationToken ct) =>
        Changed(await Row(db.Consultations, f.ConsultationId, ConsultationRecord.For, ct), r => r.Apply(f));

    public async Task<bool> ApplyAsync(ResultsPublication f, CancellationToken ct) =>
        Changed(await Row(db.Consultations, f.ConsultationId, ConsultationRecord.For, ct), r => r.Apply(f));

    public async Task<bool> ApplyAsync(ResponsePublication f, CancellationToken ct)
    {
        await Row(db.Consultations, f.ConsultationId, ConsultationRecord.For, ct);
        if (_responsesLookedUp.Contains(f.ResponseId))
        {
            if (!_responsesStored.Add(f.ResponseId)) return false;
        }
        else if (await db.ConsultationResponses.FindAsync([f.ResponseId], ct) is not null)
        {
            return false;
        }
        db.ConsultationResponses.Add(ConsultationResponseRecord.From(f));
        return true;
    }

    /// <summary>Applies the rule and, when it changed the row, bumps the row's version (its concurrency token).</summary>
    private bool Changed<TRow>(TRow row, Func<TRow, bool> apply) where TRow : class
    {
        if (!apply(row)) return false;
        var version = db.Entry(row).Property<int>(ReportingDbContext.RowVersion);
        version.CurrentValue += 1;
        return true;
    }

    private async Task<TRow> Row<TRow, TKey>(DbSet<TRow> set, TKey key, Func<TKey, TRow> create, CancellationToken ct)
        where TRow : class
        where TKey : notnull
    {
        if (await set.FindAsync([key], ct) is { } row) return row;
        row = create(key);
        set.Add(row);
        return row;
    }
}
