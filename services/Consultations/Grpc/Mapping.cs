using Google.Protobuf.WellKnownTypes;
using NodaTime;
using NodaTime.Text;
using Platform.Security;
using Wsis.Consultations.Model;

namespace Wsis.Consultations.Grpc;

/// <summary>Between the model and consultations.v1 messages; values are the same numbers on both sides.</summary>
internal static class Mapping
{
    public static Actor ActorOf(Caller caller) => Actor.Create(caller.Subject ?? "", caller.Roles, caller.Org, caller.Country);

    public static V1.GroupMeeting ToMessage(GroupMeeting m) =>
        new() { Id = m.Id.ToString(), StartsOn = LocalDatePattern.Iso.Format(m.StartsOn), Venue = m.Venue };

    /// <param name="publishedResponseCount">The count to show: counted live while the consultation is open, fixed once it closed.</param>
    public static V1.Consultation ToMessage(Consultation c, int publishedResponseCount, string mailAddressTemplate, LogCheckpoint? finalCheckpoint = null)
    {
        var message = new V1.Consultation
        {
            Id = c.Id.ToString(),
            MeetingId = c.MeetingId.ToString(),
            Title = c.Title,
            IssueText = c.IssueText,
            Deadline = new V1.ResponseDeadline
            {
                Instant = Timestamp(c.ClosesAt),
                GenevaTime = ResponseDeadline.FormatInGeneva(c.ClosesAt),
                TimeZone = ResponseDeadline.Geneva.Id,
            },
            State = (V1.ConsultationState)c.State,
            EmailAddress = MailRouting.Address(mailAddressTemplate, c.RoutingCode),
            SubjectTag = MailRouting.SubjectTag(c.RoutingCode),
            PublishedResponseCount = publishedResponseCount,
            OpenedAt = Timestamp(c.OpenedAt),
            OpenedByCountryCode = c.OpenedByCountryCode,
            ResponsesDigest = c.ResponsesDigest ?? "",
            ExaminedAtMeetingId = c.ExaminedAtMeetingId?.ToString() ?? "",
            ResultsSummary = c.ResultsSummary ?? "",
        };
        message.Questions.AddRange(c.Questions);
        if (c.ClosedAt is { } closedAt)
        {
            message.ClosedAt = Timestamp(closedAt);
        }

        if (finalCheckpoint is not null)
        {
            message.FinalCheckpoint = ToMessage(finalCheckpoint);
        }

        return message;
    }

    public static V1.Response ToMessage(ResponseSummary r, Caller caller)
    {
        var message = new V1.Response
        {
            Id = r.Id.ToString(),
            ConsultationId = r.ConsultationId?.ToString() ?? "",
            TrackingNumber = r.TrackingNumber,
            Channel = (V1.Channel)r.Channel,
            ReceivedAt = Timestamp(r.ReceivedAt),
            Sha256 = r.Sha256,
            Respondent = new V1.Respondent
            {
                Name = r.RespondentName,
                Organisation = r.RespondentOrganisation,
                Category = (V1.RespondentCategory)r.RespondentCategory,
                CountryCode = r.RespondentCountryCode,
                // Personal data: the secretariat only, never on public responses.
                Email = caller.IsSecretariat ? r.RespondentEmail : "",
            },
            Text = r.Text,
            Subject = r.Subject,
            Late = r.Late,
            Published = r.Published,
            PublishedSha256 = r.Published ? r.PublishedSha256 ?? "" : "",
            LeafIndex = r.LogIndex ?? -1,
            ReceivedSize = r.ReceivedSize,
            // Where the e-mail was delivered: for the secretariat deciding on unassigned mail.
            EnvelopeRecipient = caller.IsSecretariat ? r.EnvelopeRecipient : "",
            DkimResult = (V1.DkimResult)r.DkimResult,
            DkimDomain = r.DkimDomain,
        };
        message.Attachments.AddRange(r.Attachments.Select(ToMessage));
        message.Problems.AddRange(r.Problems);
        return message;
    }

    public static V1.AttachmentInfo ToMessage(AttachmentSummary a) =>
        new() { Index = a.Index, FileName = a.FileName, MediaType = a.MediaType, Size = a.Size, Sha256 = a.Sha256 };

    public static V1.AttachmentInfo ToMessage(ResponseAttachment a) =>
        new() { Index = a.Index, FileName = a.FileName, MediaType = a.MediaType, Size = a.Size, Sha256 = a.Sha256 };

    public static V1.Receipt Receipt(Response r) => new()
    {
        ResponseId = r.Id.ToString(),
        TrackingNumber = r.TrackingNumber,
        ReceivedAt = Timestamp(r.ReceivedAt),
        Sha256 = r.Sha256,
        PublishedSha256 = r.Published ? r.PublishedSha256 ?? "" : "",
    };

    public static V1.SignedCheckpoint ToMessage(LogCheckpoint c) => new()
    {
        Text = c.Text,
        Signature = Google.Protobuf.ByteString.CopyFrom(c.Signature),
        KeyId = c.KeyId,
        TreeSize = c.Size,
        RootHash = Google.Protobuf.ByteString.CopyFrom(c.Root),
    };

    /// <summary>A group with its first <paramref name="listed"/> members (its size counts them all).</summary>
    public static V1.SimilarityGroup ToMessage(SimilarityGroup g, int listed)
    {
        var message = new V1.SimilarityGroup { Id = g.Id, Size = g.ResponseIds.Count, Identical = g.Identical };
        message.ResponseIds.AddRange(g.ResponseIds.Take(listed).Select(id => id.ToString()));
        return message;
    }

    public static IEnumerable<V1.CountBy> Counts(IEnumerable<(string Key, int Count)> counts) =>
        counts.Select(c => new V1.CountBy { Key = c.Key, Count = c.Count });

    public static Timestamp Timestamp(Instant instant) => Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(instant.ToDateTimeOffset());
}
