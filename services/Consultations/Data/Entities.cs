using NodaTime;

namespace Wsis.Consultations.Data;

/// <summary>A meeting of CWG-Internet; consultations prepare one.</summary>
public sealed class GroupMeetingRecord
{
    public Guid Id { get; set; }

    /// <summary>First day of the meeting (a Geneva calendar date).</summary>
    public LocalDate StartsOn { get; set; }

    public string Venue { get; set; } = "";

    public Instant CreatedAt { get; set; }
}

public enum ConsultationStatus
{
    Open = 1,
    Closed = 2,
    Examined = 3,
    ResultsPublished = 4,
}

public sealed class ConsultationRecord
{
    public Guid Id { get; set; }
    public Guid MeetingId { get; set; }
    public string Title { get; set; } = "";
    public string IssueText { get; set; } = "";

    /// <summary>The questions, as a JSON array of strings (order kept).</summary>
    public string QuestionsJson { get; set; } = "[]";

    /// <summary>The exclusive response deadline (see <see cref="Model.ResponseDeadline"/>).</summary>
    public Instant ClosesAt { get; set; }

    public ConsultationStatus Status { get; set; }

    /// <summary>Short code that routes e-mail: in the address and as "[CWG-CODE]" in a subject.</summary>
    public string RoutingCode { get; set; } = "";

    /// <summary>
    /// Responses published so far. Every accepted on-time response increments it in the same
    /// transaction, with a condition on <see cref="Status"/> and <see cref="ClosesAt"/>: that
    /// row update is what serialises submissions against the close.
    /// </summary>
    public int PublishedResponseCount { get; set; }

    public Instant OpenedAt { get; set; }
    public string OpenedBySubject { get; set; } = "";
    public string OpenedByCountryCode { get; set; } = "";
    public Instant? ClosedAt { get; set; }
    public string? ResponsesDigest { get; set; }
    public Guid? ExaminedAtMeetingId { get; set; }
    public Instant? ExaminedAt { get; set; }
    public string? ResultsSummary { get; set; }
    public Instant? ResultsPublishedAt { get; set; }
}

public enum ResponseChannel
{
    Web = 1,
    Email = 2,
    MailingList = 3,
}

/// <summary>
/// A response exactly as received. Rows are inserted once and never updated or deleted
/// (<see cref="ConsultationsDbContext"/> refuses it).
/// </summary>
public sealed class ResponseRecord
{
    public Guid Id { get; set; }

    /// <summary>Null for e-mail that named no known consultation (kept for the secretariat).</summary>
    public Guid? ConsultationId { get; set; }

    public string TrackingNumber { get; set; } = "";
    public ResponseChannel Channel { get; set; }
    public Instant ReceivedAt { get; set; }

    /// <summary>
    /// The bytes received: the raw RFC 5322 message for e-mail, the serialized
    /// SubmitResponseRequest for the web channel. <see cref="Sha256"/> is over these bytes.
    /// </summary>
    public byte[] Content { get; set; } = [];

    public string Sha256 { get; set; } = "";

    /// <summary>The text: as submitted (web) or as read from the message (e-mail).</summary>
    public string Text { get; set; } = "";

    public string Subject { get; set; } = "";
    public string RespondentName { get; set; } = "";
    public string RespondentOrganisation { get; set; } = "";
    public int RespondentCategory { get; set; }
    public string RespondentCountryCode { get; set; } = "";

    /// <summary>Personal data: shown to the secretariat only.</summary>
    public string RespondentEmail { get; set; } = "";

    public bool Late { get; set; }
    public bool Published { get; set; }

    /// <summary>Problems found reading a malformed message, as a JSON array of strings.</summary>
    public string ProblemsJson { get; set; } = "[]";

    public string EnvelopeRecipient { get; set; } = "";

    public List<ResponseAttachmentRecord> Attachments { get; set; } = [];
}

public sealed class ResponseAttachmentRecord
{
    public Guid ResponseId { get; set; }
    public int Index { get; set; }
    public string FileName { get; set; } = "";
    public string MediaType { get; set; } = "";
    public long Size { get; set; }
    public string Sha256 { get; set; } = "";
    public byte[] Content { get; set; } = [];
}
