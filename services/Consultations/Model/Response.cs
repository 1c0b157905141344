using NodaTime;
using Wsis.Consultations.Model.Mail;

namespace Wsis.Consultations.Model;

/// <summary>How a response came in.</summary>
public enum ResponseChannel
{
    /// <summary>The web or API form (SubmitResponse).</summary>
    Web = 1,

    /// <summary>An e-mail to the secretariat's address for the consultation.</summary>
    Email = 2,

    /// <summary>A post to the mailing list the secretariat created.</summary>
    MailingList = 3,
}

/// <summary>
/// A response exactly as received (Council Resolution 1344: every response is published unedited).
/// It is stored once and never changed or deleted; what the reader understood of an e-mail (sender,
/// text, attachments, problems) is kept beside the raw message, which stays the response.
/// </summary>
public sealed class Response
{
    public const int SubjectMax = 2000;
    public const int FileNameMax = 255;
    public const int MediaTypeMax = 255;

    private readonly List<ResponseAttachment> _attachments = [];

    private Response()
    {
        TrackingNumber = Sha256 = Text = Subject = RespondentName = RespondentOrganisation = RespondentCountryCode = RespondentEmail = EnvelopeRecipient = "";
        Content = [];
        Problems = [];
    }

    public Guid Id { get; private set; }

    /// <summary>Null for e-mail that named no known consultation (kept for the secretariat).</summary>
    public Guid? ConsultationId { get; private set; }

    public string TrackingNumber { get; private set; }

    public ResponseChannel Channel { get; private set; }

    public Instant ReceivedAt { get; private set; }

    /// <summary>
    /// The bytes received: the raw RFC 5322 message for e-mail, the serialized SubmitResponseRequest
    /// for the web channel. <see cref="Sha256"/> is over these bytes.
    /// </summary>
    public byte[] Content { get; private set; }

    public string Sha256 { get; private set; }

    /// <summary>The text: as submitted (web) or as read from the message (e-mail).</summary>
    public string Text { get; private set; }

    public string Subject { get; private set; }

    public string RespondentName { get; private set; }

    public string RespondentOrganisation { get; private set; }

    public StakeholderCategory RespondentCategory { get; private set; }

    public string RespondentCountryCode { get; private set; }

    /// <summary>Personal data: shown to the secretariat only, never on the bus.</summary>
    public string RespondentEmail { get; private set; }

    public bool Late { get; private set; }

    public bool Published { get; private set; }

    /// <summary>Problems found reading a malformed message.</summary>
    public IReadOnlyList<string> Problems { get; private set; }

    public string EnvelopeRecipient { get; private set; }

    /// <summary>The DKIM outcome of an e-mail at receipt (<see cref="SenderVerification"/>); NotChecked for the web channel.</summary>
    public DkimResult DkimResult { get; private set; }

    /// <summary>The signing domain DKIM named (d=), for PASS, FAIL and TEMPERROR.</summary>
    public string DkimDomain { get; private set; } = "";

    /// <summary>
    /// The published record (<see cref="Model.PublishedRecord"/>): what the public downloads, written
    /// when the response got its tracking number. Null while an e-mail is unassigned.
    /// </summary>
    public byte[]? PublishedRecord { get; private set; }

    /// <summary>SHA-256 (hex) of <see cref="PublishedRecord"/>: the published hash, the response's leaf in its consultation's log.</summary>
    public string? PublishedSha256 { get; private set; }

    /// <summary>The response's leaf in its consultation's log; null while it is not in a log.</summary>
    public LogLeaf? Leaf { get; private set; }

    /// <summary>The response's position in its consultation's log (from 0); null when it is not in a log.</summary>
    public long? LogIndex => Leaf?.Index;

    public IReadOnlyList<ResponseAttachment> Attachments => _attachments;

    /// <summary>A web submission, published at once; <paramref name="received"/> is the request as received.</summary>
    public static Response Submitted(
        Guid consultationId, Respondent respondent, string text, IReadOnlyList<(string FileName, string MediaType, byte[] Content)> attachments, byte[] received, Instant receivedAt)
    {
        var response = new Response
        {
            Id = Guid.CreateVersion7(receivedAt.ToDateTimeOffset()),
            ConsultationId = consultationId,
            Channel = ResponseChannel.Web,
            ReceivedAt = receivedAt,
            Content = received,
            Sha256 = ResponseHashes.Sha256Hex(received),
            Text = text,
            RespondentName = respondent.Name,
            RespondentOrganisation = respondent.Organisation,
            RespondentCategory = respondent.Category,
            RespondentCountryCode = respondent.CountryCode,
            RespondentEmail = respondent.Email,
            Published = true,
        };
        foreach (var (fileName, mediaType, content) in attachments)
        {
            response._attachments.Add(new ResponseAttachment(response.Id, response._attachments.Count, fileName, mediaType.Trim().ToLowerInvariant(), content));
        }

        return response;
    }

    /// <summary>
    /// An e-mail as received; published when it names a consultation, else kept unassigned for the
    /// secretariat. Its sender, subject, text and attachments are what <paramref name="message"/> read.
    /// </summary>
    public static Response Emailed(
        ResponseChannel channel, byte[] raw, ReadMessage message, string envelopeRecipient, Guid? consultationId, Instant receivedAt,
        SenderVerification? dkim = null)
    {
        var sender = SenderOf(message, channel);
        var problems = message.Problems.Select(p => $"{p.Kind}: {p.Detail}").ToList();
        if (raw.AsSpan().IndexOf((byte)0) >= 0)
        {
            problems.Add("NulCharacter: NUL bytes in the message are shown as U+FFFD in its text (the message is kept as received)");
        }

        var response = new Response
        {
            Id = Guid.CreateVersion7(receivedAt.ToDateTimeOffset()),
            ConsultationId = consultationId,
            Channel = channel,
            ReceivedAt = receivedAt,
            Content = raw,
            Sha256 = ResponseHashes.Sha256Hex(raw),
            Text = Readable(message.Text),
            Subject = Truncate(Readable(message.Subject), SubjectMax),
            RespondentName = Truncate(Readable(sender?.DisplayName ?? ""), Respondent.NameMax),
            RespondentEmail = Truncate(Readable(sender?.Address ?? ""), Respondent.EmailMax),
            Problems = problems,
            EnvelopeRecipient = envelopeRecipient,
            Published = consultationId is not null,
            DkimResult = (dkim ?? SenderVerification.NotChecked).Result,
            DkimDomain = Truncate((dkim ?? SenderVerification.NotChecked).Domain, SenderVerification.DomainMax),
        };
        foreach (var a in message.Attachments)
        {
            response._attachments.Add(new ResponseAttachment(
                response.Id, response._attachments.Count, Truncate(Readable(a.FileName), FileNameMax), Truncate(Readable(a.MediaType), MediaTypeMax), a.Content));
        }

        return response;
    }

    /// <summary>Gives the response a fresh tracking number (a collision with a stored one is retried with another).</summary>
    public void AssignTrackingNumber()
    {
        TrackingNumber = Model.TrackingNumber.New(ReceivedAt.InUtc().Year).Value;
        WritePublishedRecord();
    }

    /// <summary>Sets the response's place in its consultation's log (the intake does, under the log's lock).</summary>
    public void EnterLog(long index)
    {
        if (!Published || PublishedSha256 is null)
        {
            throw new InvalidOperationException("only a published response enters the log");
        }

        Leaf = new LogLeaf(index);
    }

    /// <summary>
    /// The secretariat assigns an e-mail kept as unassigned to its consultation. Its receipt time is
    /// kept: received before the deadline of a consultation still open, it is published (and enters
    /// the log); received after the deadline it is kept as late. Received in time for a consultation
    /// that closed since, it cannot be assigned: the closed log is final.
    /// </summary>
    public void AssignTo(Guid consultationId, ResponseWindow window)
    {
        if (ConsultationId is not null)
        {
            throw DomainException.FailedPrecondition($"response {Id} is already assigned to consultation {ConsultationId}");
        }

        if (Channel == ResponseChannel.Web)
        {
            throw DomainException.FailedPrecondition("a web response always names its consultation");
        }

        var late = ReceivedAt >= window.ClosesAt;
        if (!late && window.State != ConsultationState.Open)
        {
            throw DomainException.FailedPrecondition(
                $"the consultation is {window.State.Name()}: its log was fixed at the close, so an e-mail received before its deadline can no longer be assigned to it");
        }

        ConsultationId = consultationId;
        Late = late;
        Published = !late;
        WritePublishedRecord();
    }

    /// <summary>A published response stored before published records existed gets its record (once, when it enters the log).</summary>
    public void WriteMissingPublishedRecord()
    {
        if (Published && PublishedRecord is null)
        {
            WritePublishedRecord();
        }
    }

    private void WritePublishedRecord()
    {
        if (ConsultationId is null)
        {
            return; // unassigned: written when the secretariat assigns it
        }

        PublishedRecord = Model.PublishedRecord.Of(this);
        PublishedSha256 = ResponseHashes.Sha256Hex(PublishedRecord);
    }

    /// <summary>
    /// An e-mail that arrived when its consultation no longer took responses in: it is kept, marked
    /// late and not published. A late web submission is refused instead (<see cref="ResponseWindow.Refusal"/>).
    /// </summary>
    public void KeepAsLate()
    {
        if (Channel == ResponseChannel.Web)
        {
            throw new InvalidOperationException("a late web submission is refused, not kept");
        }

        Published = false;
        Late = true;
    }

    /// <summary>
    /// Mailing lists rewrite From to the list's address ("Name via List &lt;list@…&gt;") to pass DMARC
    /// and keep the author in X-Original-From or Reply-To.
    /// </summary>
    private static MailboxAddress? SenderOf(ReadMessage message, ResponseChannel channel)
    {
        if (channel == ResponseChannel.MailingList && message.From?.DisplayName?.Contains(" via ", StringComparison.OrdinalIgnoreCase) == true)
        {
            var original = message.Addresses("X-Original-From").FirstOrDefault() ?? message.ReplyTo.FirstOrDefault();
            if (original is not null)
            {
                return original;
            }
        }

        return message.From;
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];

    // PostgreSQL text cannot hold U+0000, so a message with NUL bytes could never be stored (retried
    // until refused). The raw message keeps them; the text read from it shows U+FFFD instead.
    private static string Readable(string s) => s.Contains('\0', StringComparison.Ordinal) ? s.Replace('\0', '\uFFFD') : s;
}

/// <summary>An attachment of a response, byte for byte, with its SHA-256.</summary>
public sealed class ResponseAttachment
{
    private ResponseAttachment()
    {
        FileName = MediaType = Sha256 = "";
        Content = [];
    }

    internal ResponseAttachment(Guid responseId, int index, string fileName, string mediaType, byte[] content)
    {
        ResponseId = responseId;
        Index = index;
        FileName = fileName;
        MediaType = mediaType;
        Size = content.Length;
        Sha256 = ResponseHashes.Sha256Hex(content);
        Content = content;
    }

    public Guid ResponseId { get; private set; }

    public int Index { get; private set; }

    public string FileName { get; private set; }

    public string MediaType { get; private set; }

    public long Size { get; private set; }

    public string Sha256 { get; private set; }

    public byte[] Content { get; private set; }
}

/// <summary>Who responds through the web form, as they describe themselves.</summary>
public sealed record Respondent(string Name, string Organisation, StakeholderCategory Category, string CountryCode, string Email)
{
    public const int NameMax = 200;
    public const int OrganisationMax = 300;
    public const int EmailMax = 320;

    public static Respondent Create(string? name, string? organisation, StakeholderCategory category, string? countryCode, string? email)
    {
        var trimmedName = Input.Required(name, "respondent.name", NameMax).Trim();
        var trimmedOrganisation = (organisation ?? "").Trim();
        if (trimmedOrganisation.Length > OrganisationMax)
        {
            throw DomainException.InvalidArgument($"respondent.organisation is longer than {OrganisationMax} characters");
        }

        if (!category.IsChosen())
        {
            throw DomainException.InvalidArgument(
                "respondent.category is required: GOVERNMENT, PRIVATE_SECTOR, CIVIL_SOCIETY, INTERGOVERNMENTAL_ORGANIZATION, INTERNATIONAL_ORGANIZATION, ACADEMIC_AND_TECHNICAL or INDIVIDUAL");
        }

        var country = string.IsNullOrWhiteSpace(countryCode) ? "" : Platform.Domain.CountryCode.Parse(countryCode, "respondent.country_code").Value;
        var trimmedEmail = (email ?? "").Trim();
        if (trimmedEmail.Length > EmailMax || trimmedEmail.Length > 0 && (trimmedEmail.IndexOf('@') is <= 0 || trimmedEmail.EndsWith('@') || trimmedEmail.Any(char.IsWhiteSpace)))
        {
            // The message does not repeat the address: it is personal data.
            throw DomainException.InvalidArgument("respondent.email is not an e-mail address");
        }

        return new Respondent(trimmedName, trimmedOrganisation, category, country, trimmedEmail);
    }
}

/// <summary>A response's position in its consultation's log (from 0), given once, under the log's lock.</summary>
public sealed record LogLeaf(long Index);
