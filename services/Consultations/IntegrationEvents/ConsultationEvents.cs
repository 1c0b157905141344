using NodaTime;
using NodaTime.Text;
using Wsis.Consultations.Model;
using Wsis.Contracts.Events;

namespace Wsis.Consultations.IntegrationEvents;

/// <summary>
/// The integration events this service raises (records in contracts/Events), built from the model;
/// enum values by their proto names. They go to Platform.Messaging's transactional outbox
/// (<c>db.AddIntegrationEvent</c>), saved by the same SaveChanges (and transaction) as the state change
/// and published after commit. A consultation's own events (Opened, Closed, ResultsPublished) share
/// an ordering key (<see cref="AggregateKey"/>), so subscribers see them in that order.
/// ResponsePublished events carry no ordering key: they are published side by side (a deadline rush
/// brings thousands a second), so a subscriber may see them in any order, also after the
/// consultation's Closed; Closed's count and digest tell it when it has them all.
/// </summary>
internal static class ConsultationEvents
{
    /// <summary>The ordering key of a consultation's own events.</summary>
    public static string AggregateKey(Guid consultationId) => "consultation:" + consultationId;

    public static ConsultationOpened Opened(Consultation c, GroupMeeting meeting) => new()
    {
        EventId = NewId(c.OpenedAt),
        OccurredAt = c.OpenedAt.ToDateTimeOffset(),
        ConsultationId = c.Id.ToString(),
        MeetingId = meeting.Id.ToString(),
        MeetingStartsOn = LocalDatePattern.Iso.Format(meeting.StartsOn),
        Title = c.Title,
        Deadline = c.ClosesAt.ToDateTimeOffset(),
    };

    /// <summary>No name or e-mail address travels on the bus: category, country and hashes only.</summary>
    public static ResponsePublished Published(Response r) => new()
    {
        EventId = NewId(r.ReceivedAt),
        OccurredAt = r.ReceivedAt.ToDateTimeOffset(),
        ConsultationId = r.ConsultationId?.ToString() ?? "",
        ResponseId = r.Id.ToString(),
        TrackingNumber = r.TrackingNumber,
        Channel = r.Channel.Name(),
        RespondentCategory = r.RespondentCategory.Name(),
        CountryCode = r.RespondentCountryCode,
        Sha256 = r.Sha256,
        ReceivedAt = r.ReceivedAt.ToDateTimeOffset(),
    };

    public static ConsultationClosed Closed(Consultation c, IReadOnlyDictionary<string, int> countsByCategory) => new()
    {
        EventId = NewId(c.ClosedAt!.Value),
        OccurredAt = c.ClosedAt.Value.ToDateTimeOffset(),
        ConsultationId = c.Id.ToString(),
        ResponseCount = c.PublishedResponseCount,
        ResponsesDigest = c.ResponsesDigest ?? "",
        CountsByCategory = countsByCategory,
    };

    public static ConsultationResultsPublished ResultsPublished(Consultation c) => new()
    {
        EventId = NewId(c.ResultsPublishedAt!.Value),
        OccurredAt = c.ResultsPublishedAt.Value.ToDateTimeOffset(),
        ConsultationId = c.Id.ToString(),
        Summary = c.ResultsSummary ?? "",
        ResponseCount = c.PublishedResponseCount,
    };

    private static Guid NewId(Instant at) => Guid.CreateVersion7(at.ToDateTimeOffset());
}
