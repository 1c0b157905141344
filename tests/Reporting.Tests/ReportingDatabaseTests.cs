using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Extensions;
using Wsis.Reporting.Data;
using Wsis.Reporting.IntegrationEvents;
using Wsis.Reporting.Model;
using Xunit;

namespace Wsis.Reporting.Tests;

/// <summary>
/// The read models, contributions and reports stored on both providers: what is projected from
/// events and saved reads back as the same state, and a report compiled from the database equals
/// the one compiled from memory, byte for byte.
/// </summary>
public class ReportingDatabaseTests
{
    private static readonly Instant CompiledAt = new DateTimeOffset(2026, 1, 20, 8, 0, 0, TimeSpan.Zero).ToInstant();

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task Read_models_projected_from_shuffled_duplicated_events_match_the_in_memory_state(string provider)
    {
        await using var database = await ReportingDatabase.CreateAsync(provider);
        var data = StocktakingDataSet.Build();

        // Every fact delivered twice, the whole stream in reverse order: the worst the bus can do.
        var deliveries = data.Facts.Concat(data.Facts).Reverse().ToList();
        foreach (var batch in deliveries.Chunk(40))
        {
            await using var db = database.Open();
            var projection = new ReadModelProjection(db);
            foreach (var fact in batch)
            {
                await Apply(projection, fact);
                await db.SaveChangesAsync(); // one delivery, one transaction, as in the inbox
            }
        }

        await using (var db = database.Open())
        {
            db.Contributions.AddRange(data.Contributions);
            db.NationalReports.AddRange(data.NationalReports);
            await db.SaveChangesAsync();
        }

        await using var read = database.Open();
        var officers = await read.OfficersAsync(default);
        Assert.Equal(data.Chair, officers.Current!.ChairId);
        Assert.Equal(data.Officers.Current!.ViceChairIds, officers.Current.ViceChairIds);
        var coordination = await read.CoordinationAsync(default);
        foreach (var (line, team) in data.TeamOf)
            Assert.True(coordination.IsDesignatedCoordinator(team, data.CoordinatorOf[line]), line);
        Assert.Equal(["country_codes", "description"], (await read.ProceduresAsync(2025, default)).ForYear(2025)!.RequiredFields.Order());
        Assert.Equal(data.Consultations.Responses.Count, await read.ConsultationResponses.CountAsync());

        var sources = new ReportSources(
            await read.Contributions.AsNoTracking().Include(c => c.Entries).ToListAsync(),
            await read.NationalReports.AsNoTracking().ToListAsync(),
            coordination, await read.StakeholdersAsync(default), await read.ConsultationsAsync(default));
        var start = new DateTimeOffset(2023, 1, 1, 0, 0, 0, TimeSpan.Zero).ToInstant();
        var end = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToInstant();
        var fromDatabase = CanonicalReport.Serialize(ReportCompiler.Compile(sources, start, end, CompiledAt));
        var fromMemory = CanonicalReport.Serialize(ReportCompiler.Compile(data.Sources, start, end, CompiledAt));
        Assert.Equal(fromMemory, fromDatabase);
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task A_submitted_report_reads_back_intact_and_a_stale_second_submission_loses(string provider)
    {
        await using var database = await ReportingDatabase.CreateAsync(provider);
        var data = StocktakingDataSet.Build();
        var document = ReportCompiler.Compile(data.Sources, new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).ToInstant(), new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToInstant(), CompiledAt);
        var id = Guid.NewGuid();
        await using (var db = database.Open())
        {
            db.Reports.Add(Report.Draft(id, document, "secretariat-1"));
            await db.SaveChangesAsync();
        }

        // Two officers load the same draft; the first submission wins, the second is refused by the database.
        await using var first = database.Open();
        await using var second = database.Open();
        var a = await first.Reports.SingleAsync(r => r.ReportId == id);
        var b = await second.Reports.SingleAsync(r => r.ReportId == id);
        a.Submit(Refusals.Coordinator(data.Chair), data.Officers, CompiledAt + Duration.FromDays(1));
        await first.SaveChangesAsync();
        b.Submit(Refusals.Coordinator(data.ViceChair), data.Officers, CompiledAt + Duration.FromDays(1));
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync());

        await using var read = database.Open();
        var stored = await read.Reports.AsNoTracking().SingleAsync(r => r.ReportId == id);
        Assert.Equal(ReportState.Submitted, stored.State);
        Assert.Equal(data.Chair, stored.SubmittedBy);
        Assert.True(stored.IsIntact);
        Assert.Equal(CanonicalReport.Serialize(document), stored.Content);
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task The_database_refuses_a_second_national_report_for_the_same_country_and_year(string provider)
    {
        await using var database = await ReportingDatabase.CreateAsync(provider);
        await using var db = database.Open();
        NationalReport Report() => NationalReport.Submit(new NationalReportDraft("KE", 2025, "t", []), Refusals.MemberState("KE"), CompiledAt, alreadySubmitted: false);
        db.NationalReports.Add(Report());
        await db.SaveChangesAsync();
        db.NationalReports.Add(Report());
        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
    }

    internal static Task<bool> Apply(ReadModelProjection p, object fact) => fact switch
    {
        StakeholderRegistration x => p.ApplyAsync(x, default),
        TeamCreation x => p.ApplyAsync(x, default),
        CoordinatorDesignation x => p.ApplyAsync(x, default),
        CoordinatorsMeetingConvening x => p.ApplyAsync(x, default),
        OfficerElection x => p.ApplyAsync(x, default),
        StocktakingProcedureSetting x => p.ApplyAsync(x, default),
        ConsultationOpening x => p.ApplyAsync(x, default),
        ResponsePublication x => p.ApplyAsync(x, default),
        ConsultationClosing x => p.ApplyAsync(x, default),
        ResultsPublication x => p.ApplyAsync(x, default),
        _ => throw new ArgumentException(fact.GetType().Name),
    };
}
