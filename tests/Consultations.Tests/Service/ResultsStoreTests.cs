using System.Diagnostics;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Wsis.Consultations.Data;
using Wsis.Consultations.Examination;
using Wsis.Consultations.V1;
using Xunit;
using static Wsis.Consultations.Tests.Service.ConsultationsServiceTests;

namespace Wsis.Consultations.Tests.Service;

/// <summary>
/// GetConsultationResults computed ahead of its readers (<see cref="ExaminationPackages"/>,
/// <see cref="ExaminationRefresher"/>): a closed consultation's package stored once after the close
/// and served by every instance and restart from the store, a large open one's refreshed in the
/// background; on PostgreSQL and SQLite. Whether a reader computed is read from the instance's
/// counters, not from timings.
/// </summary>
public sealed class ResultsStoreTests
{
    private const string Letter = "We ask the group to protect an open, interoperable and affordable Internet for everyone, everywhere, and to publish this response.";

    public static TheoryData<string> Providers => new() { "Postgres", "Sqlite" };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_closed_consultations_results_are_stored_at_the_close_and_another_instance_and_a_restart_serve_them_without_computing(string provider)
    {
        var (connection, settings) = Database(provider);
        string consultationId;
        string shownByTheClosingInstance;
        await using (var closing = await ConsultationsHost.StartAsync(January10, connection, settings))
        {
            connection = closing.ConnectionString;
            consultationId = await OpenWithResponsesAsync(closing);
            closing.Clock.Now = Deadline.AddSeconds(1);
            Assert.Equal(1, await closing.CloseDueAsync());

            // Stored by the closing instance's refresher, woken by the close, before anyone read.
            var packages = Packages(closing);
            await WaitUntil(() => packages.Stored == 1, "the closing instance stored the package");
            Assert.Equal(1, packages.Computations);
            Assert.Equal(0, packages.ComputationsForReaders);
            shownByTheClosingInstance = Shown(await ResultsAsync(closing, consultationId));

            await using var other = await ConsultationsHost.StartAsync(Deadline.AddSeconds(2), connection, settings);
            var read = await ResultsAsync(other, consultationId);
            Assert.Equal(5, read.Total);
            Assert.Equal(3, Assert.Single(read.SimilarityGroups).Size);
            Assert.Equal(shownByTheClosingInstance, Shown(read));
            Assert.Equal(0, Packages(other).Computations);
            Assert.Equal(1, Packages(other).Loaded);
        }

        await using var restarted = await ConsultationsHost.StartAsync(Deadline.AddDays(1), connection, settings);
        Assert.Equal(shownByTheClosingInstance, Shown(await ResultsAsync(restarted, consultationId)));
        Assert.Equal(0, Packages(restarted).Computations);
        Assert.Equal(1, Packages(restarted).Loaded);

        var consultation = await restarted.Anonymous.GetConsultationAsync(new GetConsultationRequest { Id = consultationId });
        var row = Assert.Single(await RowsAsync(restarted));
        Assert.Equal(5, row.Size);
        Assert.Equal(consultation.ResponsesDigest, row.ResponsesDigest);
        Assert.Equal(consultation.FinalCheckpoint.TreeSize, row.Size);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_consultation_closed_before_results_were_stored_is_stored_once_by_the_first_instances_to_start_and_never_changed_after(string provider)
    {
        var (connection, settings) = Database(provider);
        string consultationId;
        await using (var before = await ConsultationsHost.StartAsync(January10, connection, settings))
        {
            connection = before.ConnectionString;
            consultationId = await OpenWithResponsesAsync(before);
            before.Clock.Now = Deadline.AddSeconds(1);
            Assert.Equal(1, await before.CloseDueAsync());
            await WaitUntil(() => Packages(before).Stored == 1, "the closing instance stored the package");
            // As a database upgraded from a version without the store: a closed consultation, no package.
            await using var scope = before.Services.CreateAsyncScope();
            Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<ConsultationsDbContext>().ExaminationPackages.ExecuteDeleteAsync());
        }

        // Two instances start at once, a day later: their refreshers both find it missing; the first writer wins.
        var started = await Task.WhenAll(
            ConsultationsHost.StartAsync(Deadline.AddDays(1), connection, settings),
            ConsultationsHost.StartAsync(Deadline.AddDays(1), connection, settings));
        await using var first = started[0];
        await using var second = started[1];
        await WaitUntil(() => Packages(first).Stored + Packages(second).Stored == 1, "one of the instances stored the package");
        var stored = Assert.Single(await RowsAsync(first));
        var shown = Shown(await ResultsAsync(first, consultationId));
        Assert.Equal(shown, Shown(await ResultsAsync(second, consultationId)));
        Assert.Equal(5, (await ResultsAsync(second, consultationId)).Total);
        Assert.InRange(Packages(first).Computations + Packages(second).Computations, 1, 2);

        // Later reads, here and on a third instance, never write it again.
        await using (var third = await ConsultationsHost.StartAsync(Deadline.AddDays(2), connection, settings))
        {
            Assert.Equal(shown, Shown(await ResultsAsync(third, consultationId)));
            Assert.Equal(0, Packages(third).Computations);
            Assert.Equal(0, Packages(third).Stored);
        }

        Assert.Equal(1, Packages(first).Stored + Packages(second).Stored);
        var after = Assert.Single(await RowsAsync(second));
        Assert.Equal(stored.Content, after.Content);
        Assert.Equal(stored.ComputedAt, after.ComputedAt);

        // And the DbContext refuses to change or delete it.
        await using var change = first.Services.CreateAsyncScope();
        var db = change.ServiceProvider.GetRequiredService<ConsultationsDbContext>();
        var tracked = await db.ExaminationPackages.SingleAsync();
        db.Entry(tracked).Property(p => p.Size).CurrentValue = 6;
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());
        Assert.Contains("stored once and never changed", refused.Message);
        db.ChangeTracker.Clear();
        db.ExaminationPackages.Remove(await db.ExaminationPackages.SingleAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_large_open_consultations_results_are_refreshed_in_the_background_readers_get_them_without_computing_and_the_last_is_stored_at_the_close(string provider)
    {
        await using var large = await LargeOpenConsultationAsync(provider);
        var (host, consultation, packages) = (large.Host, large.Consultation, large.Packages);

        // Nobody has read it: the refresher computes it.
        await WaitUntil(() => packages.Computations >= 1, "the refresher computed the package");
        Assert.Equal(4, (await ResultsAsync(host, consultation.Id)).Total);

        // Two more responses: the next package comes from the refresher too; readers are given the ready one meanwhile
        // (the test's clock does not move, so no reader finds the package too old and starts one itself).
        await host.Anonymous.SubmitResponseAsync(Submission(consultation.Id, Letter + " Signed, supporter 4."));
        await host.Anonymous.SubmitResponseAsync(Submission(consultation.Id, "An independent answer about exchange points and transit prices in West Africa."));
        var waited = Stopwatch.StartNew();
        var results = await ResultsAsync(host, consultation.Id);
        while (results.Total != 6 && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            Assert.Equal(4, results.Total);
            await Task.Delay(100);
            results = await ResultsAsync(host, consultation.Id);
        }

        Assert.Equal(6, results.Total);
        Assert.Equal(5, Assert.Single(results.SimilarityGroups).Size);
        Assert.Equal(0, packages.ComputationsForReaders);
        Assert.Empty(await RowsAsync(host)); // an open consultation's packages are not stored

        // At the close the last package covers every response: stored as it is, not computed again.
        var computed = packages.Computations;
        host.Clock.Now = Deadline.AddSeconds(1);
        Assert.Equal(1, await host.CloseDueAsync());
        await WaitUntil(() => packages.Stored == 1, "the closing instance stored the package");
        Assert.Equal(computed, packages.Computations);
        Assert.Equal(6, Assert.Single(await RowsAsync(host)).Size);
        Assert.Equal(Shown(results), Shown(await ResultsAsync(host, consultation.Id)));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_large_open_consultation_nobody_reads_is_not_recomputed_in_the_background_and_its_next_reader_gets_the_kept_package_at_once(string provider)
    {
        await using var large = await LargeOpenConsultationAsync(provider);
        var (host, consultation, packages) = (large.Host, large.Consultation, large.Packages);

        // Its first package is computed ahead, read or not.
        await WaitUntil(() => packages.Computations >= 1, "the refresher computed the first package");
        Assert.Equal(1, packages.Computations);

        // Nobody reads it for longer than ReadersGone while responses keep coming: the refresher (every
        // second here) leaves it, so the intake keeps the CPU.
        host.Clock.Now = January10 + ExaminationPackages.ReadersGone + TimeSpan.FromMinutes(1);
        await host.Anonymous.SubmitResponseAsync(Submission(consultation.Id, Letter + " Signed, supporter 4."));
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.Equal(1, packages.Computations);

        // The next reader is given the kept package at once and starts the next computation.
        Assert.Equal(4, (await ResultsAsync(host, consultation.Id)).Total);
        await WaitUntilAsync(async () => (await ResultsAsync(host, consultation.Id)).Total == 5, "the package brought up to date after the read");
        Assert.Equal(2, packages.Computations);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Right_after_another_instance_closes_a_large_consultation_a_reader_gets_the_last_open_figures_and_then_the_stored_package_without_this_instance_computing_it(string provider)
    {
        var (connection, settings) = Database(provider);
        settings["Consultations:LiveCount:CacheFrom"] = "3";
        settings["Consultations:LiveCount:MaxAgeSeconds"] = "0";
        settings["Consultations:Results:MaxAgeSeconds"] = "60";
        await using var reader = await ConsultationsHost.StartAsync(January10, connection, settings);
        var consultation = await OpenAsync(reader);
        for (var i = 0; i < 4; i++)
        {
            await reader.Anonymous.SubmitResponseAsync(Submission(consultation.Id, Letter + $" Signed, supporter {i}."));
        }

        // This instance's first package of it (its refresher's next pass is a minute away): the reader waits for that one.
        Assert.Equal(4, (await ResultsAsync(reader, consultation.Id)).Total);
        await reader.Anonymous.SubmitResponseAsync(Submission(consultation.Id, "An independent answer about exchange points and transit prices in West Africa."));
        var packages = Packages(reader);
        var computed = packages.Computations;

        // Closed by another instance, which stopped before it stored the package.
        reader.Clock.Now = Deadline.AddSeconds(1);
        await using (var scope = reader.Services.CreateAsyncScope())
        {
            var elsewhere = ActivatorUtilities.CreateInstance<ExaminationPackages>(scope.ServiceProvider);
            Assert.True(await ActivatorUtilities.CreateInstance<Closing.ConsultationClosing>(scope.ServiceProvider, elsewhere)
                .CloseIfDueAsync(Guid.Parse(consultation.Id), CancellationToken.None));
        }

        reader.Clock.Now = Deadline.AddSeconds(2);
        Assert.Equal(4, (await ResultsAsync(reader, consultation.Id)).Total); // the last open figures: nobody waits
        Assert.Empty(await RowsAsync(reader));

        // An instance that finds the close older than OthersGrace stores it; the reader's instance loads it.
        await using var later = await ConsultationsHost.StartAsync(Deadline.Add(ExaminationRefresher.OthersGrace).AddMinutes(1), reader.ConnectionString, settings);
        await WaitUntil(() => Packages(later).Stored == 1, "the later instance stored the package");
        var waited = Stopwatch.StartNew();
        var results = await ResultsAsync(reader, consultation.Id);
        while (results.Total != 5 && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(100);
            results = await ResultsAsync(reader, consultation.Id);
        }

        Assert.Equal(5, results.Total);
        Assert.Equal(ConsultationState.Closed, results.Consultation.State);
        Assert.Equal(computed, packages.Computations);
        Assert.Equal(1, packages.Loaded);
        Assert.Equal(0, packages.Stored);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_stored_package_that_does_not_cover_the_final_checkpoint_is_neither_served_nor_replaced(string provider)
    {
        var (connection, settings) = Database(provider);
        await using var host = await ConsultationsHost.StartAsync(January10, connection, settings);
        var consultationId = await OpenWithResponsesAsync(host);
        // A row for another state of the consultation (three responses, another digest), there before the close.
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ConsultationsDbContext>();
            var wrong = Wsis.Consultations.Model.ExaminationPackage.Restore(3, [], [("GOVERNMENT", 3)], [("unknown", 3)], [("EMAIL", 3)]);
            db.ExaminationPackages.Add(StoredExaminationPackage.Of(Guid.Parse(consultationId), new string('0', 64), wrong, NodaTime.Instant.FromDateTimeOffset(January10), 1));
            await db.SaveChangesAsync();
        }

        var before = Assert.Single(await RowsAsync(host));
        host.Clock.Now = Deadline.AddSeconds(1);
        Assert.Equal(1, await host.CloseDueAsync());

        var read = await ResultsAsync(host, consultationId);
        Assert.Equal(5, read.Total);
        Assert.Equal("CIVIL_SOCIETY=5", string.Join(", ", read.ByCategory.Select(c => $"{c.Key}={c.Count}")));
        Assert.Equal(3, Assert.Single(read.SimilarityGroups).Size);
        Assert.Equal(0, Packages(host).Loaded);
        Assert.Equal(0, Packages(host).Stored);
        var after = Assert.Single(await RowsAsync(host));
        Assert.Equal(before.Content, after.Content);
        Assert.Equal(3, after.Size);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_restarted_instance_serves_a_large_open_consultations_last_package_at_once_and_stores_the_final_one_from_it(string provider)
    {
        var (connection, settings) = Database(provider);
        settings["Consultations:LiveCount:CacheFrom"] = "3";
        settings["Consultations:LiveCount:MaxAgeSeconds"] = "0";
        settings["Consultations:Results:MaxAgeSeconds"] = "1";
        string consultationId;
        await using (var before = await ConsultationsHost.StartAsync(January10, connection, settings))
        {
            connection = before.ConnectionString;
            consultationId = (await OpenAsync(before)).Id;
            for (var i = 0; i < 4; i++)
            {
                await before.Anonymous.SubmitResponseAsync(Submission(consultationId, Letter + $" Signed, supporter {i}."));
            }

            await WaitUntilAsync(async () => (await LiveRowsAsync(before)).SingleOrDefault()?.Size == 4, "the refresher saved the last package");
        }

        await using var restarted = await ConsultationsHost.StartAsync(January10, connection, settings);
        var packages = Packages(restarted);
        var read = await ResultsAsync(restarted, consultationId);
        Assert.Equal(4, read.Total);
        Assert.Equal(4, Assert.Single(read.SimilarityGroups).Size);
        Assert.Equal(0, packages.Computations);
        Assert.Equal(1, packages.LiveLoaded);

        // A new response: the refresher computes (and saves) the next one; readers never do.
        await restarted.Anonymous.SubmitResponseAsync(Submission(consultationId, "An independent answer about exchange points and transit prices in West Africa."));
        await WaitUntilAsync(async () => (await ResultsAsync(restarted, consultationId)).Total == 5, "readers given the refreshed package");
        await WaitUntilAsync(async () => (await LiveRowsAsync(restarted)).Single().Size == 5, "the refresher saved the next package");
        Assert.Equal(0, packages.ComputationsForReaders);

        // The close stores the last package (it covers every response) and forgets the open one.
        var computed = packages.Computations;
        restarted.Clock.Now = Deadline.AddSeconds(1);
        Assert.Equal(1, await restarted.CloseDueAsync());
        await WaitUntil(() => packages.Stored == 1, "the closing instance stored the package");
        Assert.Equal(computed, packages.Computations);
        Assert.Equal(5, Assert.Single(await RowsAsync(restarted)).Size);
        Assert.Empty(await LiveRowsAsync(restarted));
    }

    private static (string? Connection, Dictionary<string, string?> Settings) Database(string provider) => provider == "Sqlite"
        ? ($"Data Source={Path.Combine(Directory.CreateTempSubdirectory("consultations-results-").FullName, "c.db")}", new() { ["Database:Provider"] = "Sqlite" })
        : (null, []);

    /// <summary>Five responses: a campaign of three letters and two texts of their own.</summary>
    private static async Task<string> OpenWithResponsesAsync(ConsultationsHost host)
    {
        var consultation = await OpenAsync(host);
        for (var i = 0; i < 3; i++)
        {
            await host.Anonymous.SubmitResponseAsync(Submission(consultation.Id, Letter + $" Signed, supporter {i}."));
        }

        await host.Anonymous.SubmitResponseAsync(Submission(consultation.Id, "An independent answer about exchange points and transit prices in West Africa."));
        await host.Anonymous.SubmitResponseAsync(Submission(consultation.Id, "Spectrum for community networks lowers rural costs."));
        return consultation.Id;
    }

    private static ExaminationPackages Packages(ConsultationsHost host) => host.Services.GetRequiredService<ExaminationPackages>();

    /// <summary>A host whose refresher runs every second, with an open consultation "large" from 3 responses, holding 4 letters of one campaign.</summary>
    private static async Task<LargeOpen> LargeOpenConsultationAsync(string provider)
    {
        var (connection, settings) = Database(provider);
        settings["Consultations:LiveCount:CacheFrom"] = "3";
        settings["Consultations:LiveCount:MaxAgeSeconds"] = "0";
        settings["Consultations:Results:MaxAgeSeconds"] = "1";
        var host = await ConsultationsHost.StartAsync(January10, connection, settings);
        var consultation = await OpenAsync(host);
        for (var i = 0; i < 4; i++)
        {
            await host.Anonymous.SubmitResponseAsync(Submission(consultation.Id, Letter + $" Signed, supporter {i}."));
        }

        return new LargeOpen(host, consultation, Packages(host));
    }

    private sealed record LargeOpen(ConsultationsHost Host, Consultation Consultation, ExaminationPackages Packages) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Host.DisposeAsync();
    }

    private static async Task<ConsultationResults> ResultsAsync(ConsultationsHost host, string consultationId) =>
        await host.Anonymous.GetConsultationResultsAsync(new GetConsultationResultsRequest { ConsultationId = consultationId, PageSize = 100 });

    private static async Task<List<StoredExaminationPackage>> RowsAsync(ConsultationsHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ConsultationsDbContext>().ExaminationPackages.AsNoTracking().ToListAsync();
    }

    /// <summary>Everything the results show but the consultation's own state: totals, counts, groups, each response's group.</summary>
    private static string Shown(ConsultationResults results)
    {
        var shown = new StringBuilder($"total {results.Total}, late {results.LateCount}\n");
        foreach (var (name, counts) in new[] { ("category", results.ByCategory), ("country", results.ByCountry), ("channel", results.ByChannel) })
        {
            shown.AppendLine(name + ": " + string.Join(", ", counts.Select(c => $"{c.Key}={c.Count}")));
        }

        foreach (var group in results.SimilarityGroups)
        {
            shown.AppendLine($"group {group.Id} {group.Size} identical={group.Identical}: {string.Join(" ", group.ResponseIds)}");
        }

        foreach (var response in results.Responses)
        {
            shown.AppendLine($"{response.Id} {response.SimilarityGroup}");
        }

        return shown.ToString();
    }

    private static async Task<List<LiveExaminationPackage>> LiveRowsAsync(ConsultationsHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ConsultationsDbContext>().LiveExaminationPackages.AsNoTracking().ToListAsync();
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), "waited a minute for: " + what);
            await Task.Delay(100);
        }
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), "waited a minute for: " + what);
            await Task.Delay(50);
        }
    }
}
