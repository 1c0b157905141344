namespace Wsis.Contracts.Events;

// Integration events raised by the Consultations service (see TeamsEvents.cs for the naming
// and versioning rules). Respondents' names and e-mail addresses never travel on the bus.

/// <summary>A Member State or the secretariat opened a consultation.</summary>
public sealed record ConsultationOpened
{
    public required Guid EventId { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public required string ConsultationId { get; init; }
    public required string MeetingId { get; init; }
    /// <summary>The group meeting's first day, "YYYY-MM-DD".</summary>
    public required string MeetingStartsOn { get; init; }
    public required string Title { get; init; }
    public required DateTimeOffset Deadline { get; init; }
}

/// <summary>A response received before the deadline was published, unedited.</summary>
public sealed record ResponsePublished
{
    public required Guid EventId { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public required string ConsultationId { get; init; }
    public required string ResponseId { get; init; }
    public required string TrackingNumber { get; init; }
    /// <summary>consultations.v1.Channel name: "WEB", "EMAIL" or "MAILING_LIST".</summary>
    public required string Channel { get; init; }
    /// <summary>consultations.v1.RespondentCategory name; "RESPONDENT_CATEGORY_UNSPECIFIED" when unknown (e-mail).</summary>
    public required string RespondentCategory { get; init; }
    /// <summary>ISO 3166-1 alpha-2, or empty when unknown.</summary>
    public required string CountryCode { get; init; }
    public required string Sha256 { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
}

/// <summary>A consultation reached its deadline and closed.</summary>
public sealed record ConsultationClosed
{
    public required Guid EventId { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public required string ConsultationId { get; init; }
    public required int ResponseCount { get; init; }
    /// <summary>Hex root of the consultation's log at its final checkpoint (RFC 9162 tree over the published hashes by leaf index), so anyone can check the published set is complete.</summary>
    public required string ResponsesDigest { get; init; }
    /// <summary>Published responses by respondent category name.</summary>
    public required IReadOnlyDictionary<string, int> CountsByCategory { get; init; }
}

/// <summary>The secretariat made the results of a consultation known.</summary>
public sealed record ConsultationResultsPublished
{
    public required Guid EventId { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public required string ConsultationId { get; init; }
    public required string Summary { get; init; }
    public required int ResponseCount { get; init; }
}
