using NodaTime;
using NodaTime.Text;
using Wsis.Consultations.Data;
using Wsis.Contracts.Events;

namespace Wsis.Consultations.IntegrationEvents;

/// <summary>The integration events this service raises (records in contracts/Events), built from its rows.</summary>
internal static class ConsultationEvents
{
    public static ConsultationOpened Opened(ConsultationRecord c, GroupMeetingRecord meeting, Instant now) => new()
    {
        EventId = Guid.NewGuid(),
        OccurredAt = now.ToDateTimeOffset(),
        ConsultationId = c.Id.ToString(),
        MeetingId = meeting.Id.ToString(),
        MeetingStartsOn = LocalDatePattern.Iso.Format(meeting.StartsOn),
        Title = c.Title,
        Deadline = c.ClosesAt.ToDateTimeOffset(),
    };

    /// <summary>No name or e-mail address travels on the bus: category, country and hashes only.</summary>
    public static ResponsePublished Published(ResponseRecord r, Instant now) => new()
    {
        EventId = Guid.NewGuid(),
        OccurredAt = now.ToDateTimeOffset(),
        ConsultationId = r.ConsultationId?.ToString() ?? "",
        ResponseId = r.Id.ToString(),
        TrackingNumber = r.TrackingNumber,
        Channel = r.Channel switch
        {
            ResponseChannel.Web => "WEB",
            ResponseChannel.Email => "EMAIL",
            ResponseChannel.MailingList => "MAILING_LIST",
            _ => "CHANNEL_UNSPECIFIED",
        },
        RespondentCategory = CategoryName(r.RespondentCategory),
        CountryCode = r.RespondentCountryCode,
        Sha256 = r.Sha256,
        ReceivedAt = r.ReceivedAt.ToDateTimeOffset(),
    };

    public static ConsultationClosed Closed(ConsultationRecord c, int count, string digest, IReadOnlyDictionary<string, int> byCategory, Instant now) => new()
    {
        EventId = Guid.NewGuid(),
        OccurredAt = now.ToDateTimeOffset(),
        ConsultationId = c.Id.ToString(),
        ResponseCount = count,
        ResponsesDigest = digest,
        CountsByCategory = byCategory,
    };

    public static ConsultationResultsPublished ResultsPublished(ConsultationRecord c, Instant now) => new()
    {
        EventId = Guid.NewGuid(),
        OccurredAt = now.ToDateTimeOffset(),
        ConsultationId = c.Id.ToString(),
        Summary = c.ResultsSummary ?? "",
        ResponseCount = c.PublishedResponseCount,
    };

    /// <summary>The protobuf enum value name (e.g. "CIVIL_SOCIETY"), as the contract documents.</summary>
    public static string CategoryName(int category) =>
        CategoryEnum.FindValueByNumber(category)?.Name ?? "RESPONDENT_CATEGORY_UNSPECIFIED";

    private static readonly Google.Protobuf.Reflection.EnumDescriptor CategoryEnum =
        V1.ConsultationsReflection.Descriptor.EnumTypes.Single(e => e.Name == nameof(V1.RespondentCategory));
}
