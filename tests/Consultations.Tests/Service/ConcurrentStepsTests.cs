using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Platform.Domain;
using Wsis.Consultations.Data;
using Xunit;

namespace Wsis.Consultations.Tests.Service;

public class ConcurrentStepsTests
{
    [Fact]
    public async Task Of_two_requests_publishing_results_at_once_the_second_is_refused_and_the_results_are_published_once()
    {
        await using var host = await ConsultationsHost.StartAsync(ConsultationsServiceTests.January10);
        var opened = await ConsultationsServiceTests.OpenAsync(host);
        host.Clock.Now = ConsultationsServiceTests.Deadline;
        await host.CloseDueAsync();
        await host.Secretariat.RecordExaminationAsync(new V1.RecordExaminationRequest { ConsultationId = opened.Id, MeetingId = opened.MeetingId });

        // Both read the consultation EXAMINED before either saves.
        await using var first = host.Services.CreateAsyncScope();
        await using var second = host.Services.CreateAsyncScope();
        var dbs = new[] { first, second }.Select(s => s.ServiceProvider.GetRequiredService<ConsultationsDbContext>()).ToArray();
        var id = Guid.Parse(opened.Id);
        var copies = await Task.WhenAll(dbs.Select(db => db.Consultations.SingleAsync(c => c.Id == id)));
        var now = Instant.FromDateTimeOffset(ConsultationsServiceTests.Deadline.AddDays(40));
        copies[0].PublishResults("First summary.", Actor.Create("sec-1", [Role.Secretariat]), now);
        copies[1].PublishResults("Second summary.", Actor.Create("sec-1", [Role.Secretariat]), now);

        await dbs[0].SaveChangesAsync();
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => dbs[1].SaveChangesAsync());

        var shown = await host.Anonymous.GetConsultationAsync(new V1.GetConsultationRequest { Id = opened.Id });
        Assert.Equal(V1.ConsultationState.ResultsPublished, shown.State);
        Assert.Equal("First summary.", shown.ResultsSummary);
    }
}
