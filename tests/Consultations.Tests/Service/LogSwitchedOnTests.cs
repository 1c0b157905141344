using Wsis.Consultations.V1;
using Xunit;

namespace Wsis.Consultations.Tests.Service;

/// <summary>
/// Responses published while <c>Consultations:Log:Enabled</c> was false (or before the log existed)
/// and the log switched on afterwards: the log still holds every published response, in receipt
/// order, on PostgreSQL and on SQLite.
/// </summary>
public class LogSwitchedOnTests
{
    public static TheoryData<string> Providers => new() { "Postgres", "Sqlite" };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Responses_stored_with_the_log_off_enter_it_first_in_receipt_order_when_it_is_switched_on(string provider)
    {
        var (connection, settings) = provider == "Sqlite"
            ? ($"Data Source={Path.Combine(Directory.CreateTempSubdirectory("consultations-log-on-").FullName, "c.db")}", new Dictionary<string, string?> { ["Database:Provider"] = "Sqlite" })
            : (await (await Testing.SharedPostgres.GetAsync()).CreateDatabaseAsync(), new Dictionary<string, string?>());

        V1.Consultation consultation;
        var before = new List<Receipt>();
        await using (var off = await ConsultationsHost.StartAsync(ConsultationsServiceTests.January10, connection,
            new Dictionary<string, string?>(settings) { ["Consultations:Log:Enabled"] = "false" }))
        {
            consultation = await ConsultationsServiceTests.OpenAsync(off);
            for (var i = 0; i < 3; i++)
            {
                off.Clock.Now = ConsultationsServiceTests.January10.AddMinutes(i);
                before.Add(await off.Anonymous.SubmitResponseAsync(ConsultationsServiceTests.Submission(consultation.Id, $"Before the log, {i}.")));
            }

            Assert.All(before, r => Assert.Null(r.Inclusion));
            Assert.NotEmpty(before[0].PublishedSha256);
        }

        await using var on = await ConsultationsHost.StartAsync(ConsultationsServiceTests.January10.AddHours(1), connection, settings);
        var after = new List<Receipt>();
        for (var i = 0; i < 2; i++)
        {
            on.Clock.Now = ConsultationsServiceTests.January10.AddHours(1).AddMinutes(i);
            after.Add(await on.Anonymous.SubmitResponseAsync(ConsultationsServiceTests.Submission(consultation.Id, $"With the log, {i}.")));
        }

        // The older responses entered the log as the service started, ahead of the later ones.
        Assert.Equal([3L, 4L], after.Select(r => r.Inclusion.LeafIndex));
        var listed = (await on.Anonymous.ListResponsesAsync(new ListResponsesRequest { ConsultationId = consultation.Id, PageSize = 100 })).Responses;
        Assert.Equal(before.Concat(after).Select(r => r.ResponseId), listed.Select(r => r.Id));
        Assert.Equal([0L, 1L, 2L, 3L, 4L], listed.Select(r => r.LeafIndex));
        Assert.Equal(before.Concat(after).Select(r => r.PublishedSha256), listed.Select(r => r.PublishedSha256));

        var key = await on.Anonymous.GetLogPublicKeyAsync(new GetLogPublicKeyRequest());
        using var publicKey = PublishedLogTests.PublicKey(key);
        var latest = await on.Anonymous.GetLogCheckpointAsync(new GetLogCheckpointRequest { ConsultationId = consultation.Id });
        Assert.Equal(5, latest.TreeSize);
        Assert.True(PublishedLogTests.Signed(latest, publicKey));
        Assert.Equal(LogRecipe.Digest(listed), Convert.ToHexStringLower(latest.RootHash.Span));
        foreach (var response in before)
        {
            var proof = await on.Anonymous.GetInclusionProofAsync(new GetInclusionProofRequest { ConsultationId = consultation.Id, ResponseId = response.ResponseId });
            Assert.True(PublishedLogTests.Includes(proof));
        }

        // The close finds nothing left to enter: the final checkpoint is the one the intake signed.
        on.Clock.Now = ConsultationsServiceTests.Deadline;
        Assert.Equal(1, await on.CloseDueAsync());
        var closed = await on.Anonymous.GetConsultationAsync(new GetConsultationRequest { Id = consultation.Id });
        Assert.Equal(latest, closed.FinalCheckpoint);
        Assert.Equal(5, closed.PublishedResponseCount);
    }
}
