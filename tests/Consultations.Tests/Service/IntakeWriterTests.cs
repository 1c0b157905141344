using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Messaging;
using Wsis.Consultations.Data;
using Wsis.Consultations.Model;
using Wsis.Consultations.V1;
using Xunit;
using Respondent = Wsis.Consultations.Model.Respondent;
using StakeholderCategory = Platform.Domain.StakeholderCategory;
using Response = Wsis.Consultations.Model.Response;

namespace Wsis.Consultations.Tests.Service;

/// <summary>
/// Group commit: submissions waiting at the same moment are stored in one transaction. One writer
/// with room for every submission makes the batches as large as they get; the same request sent
/// twice at once, and requests seen before, must still give one response and one receipt each.
/// </summary>
public class IntakeWriterTests
{
    [Fact]
    public async Task Submissions_stored_together_keep_one_response_and_one_receipt_per_request_id()
    {
        await using var host = await ConsultationsHost.StartAsync(ConsultationsServiceTests.January10, settings: new Dictionary<string, string?>
        {
            ["Consultations:Intake:Writers"] = "1",
            ["Consultations:Intake:MaxBatch"] = "500",
        });
        var consultation = await ConsultationsServiceTests.OpenAsync(host);
        SubmitResponseRequest Request(int i)
        {
            var request = ConsultationsServiceTests.Submission(consultation.Id, $"Comment number {i}.");
            request.RequestId = $"together-{i}";
            return request;
        }

        // Ten requests already stored, then 150 new ones, each sent twice at the same moment, mixed
        // with the ten old ones again.
        var before = new Dictionary<int, Receipt>();
        for (var i = 0; i < 10; i++)
        {
            before[i] = await host.Anonymous.SubmitResponseAsync(Request(i));
        }

        var calls = Enumerable.Range(0, 160).SelectMany(i => new[] { i, i })
            .Select(i => (Index: i, Call: host.Anonymous.SubmitResponseAsync(Request(i)).ResponseAsync))
            .ToList();
        await Task.WhenAll(calls.Select(c => c.Call));

        foreach (var group in calls.GroupBy(c => c.Index))
        {
            var receipts = group.Select(c => c.Call.Result).Distinct().ToList();
            Assert.Single(receipts);
            if (before.TryGetValue(group.Key, out var first))
            {
                Assert.Equal(first, receipts[0]);
            }
        }

        var listed = await host.Anonymous.ListResponsesAsync(new ListResponsesRequest { ConsultationId = consultation.Id, PageSize = 500 });
        Assert.Equal(160, listed.Responses.Count);
        Assert.Equal(160, listed.Responses.Select(r => r.TrackingNumber).Distinct().Count());
        Assert.Equal(
            calls.Select(c => c.Call.Result.ResponseId).Distinct().Order(),
            listed.Responses.Select(r => r.Id).Order());

        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsultationsDbContext>();
        var published = await db.Set<OutboxMessage>().Where(m => m.MessageType.Contains("ResponsePublished")).CountAsync();
        Assert.Equal(160, published);
    }

    [Fact]
    public async Task A_batch_refused_by_a_constraint_is_written_one_by_one_and_only_the_bad_submission_fails()
    {
        await using var host = await ConsultationsHost.StartAsync(ConsultationsServiceTests.January10);
        var consultation = await ConsultationsServiceTests.OpenAsync(host);
        var writer = host.Services.GetRequiredService<Wsis.Consultations.Intake.IntakeWriter>();
        Response Record(string text) => Response.Submitted(
            Guid.Parse(consultation.Id),
            Respondent.Create("Ana", "Org", StakeholderCategory.Government, "CH", "ana@example.org"),
            text, [], System.Text.Encoding.UTF8.GetBytes(text), NodaTime.Instant.FromDateTimeOffset(host.Clock.GetUtcNow()));

        // The second and third carry the same response id (the same response twice): the batch's
        // one INSERT fails on the primary key, nothing of it is stored, and each is written again
        // on its own.
        var twin = Record("second");
        var batch = new[]
        {
            new Wsis.Consultations.Intake.IntakeWriter.Pending(Record("first"), new Platform.Data.IdempotencyKey("split-1", "SubmitResponse", "")),
            new Wsis.Consultations.Intake.IntakeWriter.Pending(twin, null),
            new Wsis.Consultations.Intake.IntakeWriter.Pending(twin, null),
            new Wsis.Consultations.Intake.IntakeWriter.Pending(Record("fourth"), new Platform.Data.IdempotencyKey("split-4", "SubmitResponse", "")),
        };
        await writer.WriteAsync(batch);

        Assert.NotNull(await batch[0].Done.Task);
        Assert.NotNull(await batch[1].Done.Task);
        var refused = await Assert.ThrowsAsync<Platform.Domain.DomainException>(() => batch[2].Done.Task);
        Assert.Equal(Platform.Domain.DomainErrorKind.Unavailable, refused.Kind);
        Assert.NotNull(await batch[3].Done.Task);

        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsultationsDbContext>();
        Assert.Equal(["first", "fourth", "second"], await db.Responses.Select(r => r.Text).OrderBy(t => t).ToListAsync());
        Assert.Equal(3, await db.Set<OutboxMessage>().CountAsync(m => m.MessageType.Contains("ResponsePublished")));
        Assert.Equal(2, await db.Set<Platform.Data.IdempotencyRecord>().CountAsync(r => r.Key.StartsWith("split-")));
    }
}
