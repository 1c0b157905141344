using System.Text.Json;
using Deadline = Wsis.Consultations.Model.ResponseDeadline;
using Google.Protobuf.WellKnownTypes;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime.Text;
using NodaTime;
using Platform.Data;
using Platform.Domain;
using Platform.Security;
using Wsis.Consultations.Data;
using Wsis.Consultations.IntegrationEvents;
using Wsis.Consultations.Model.Mail;
using Wsis.Consultations.Model;
using Wsis.Consultations.V1;
using static Wsis.Consultations.Grpc.RpcErrors;

namespace Wsis.Consultations.Grpc;

/// <summary>
/// consultations.v1.Consultations: CWG-Internet open consultations (Council Resolution 1344).
/// Every response is stored once, byte for byte, and never changed; public callers see the
/// published ones exactly as received, without the respondent's e-mail address.
/// </summary>
public sealed partial class ConsultationsService(
    ConsultationsDbContext db,
    ResponseIntake intake,
    ConsultationClosing closing,
    LiveCounts liveCounts,
    IOptions<ConsultationsOptions> options,
    TimeProvider time,
    ILogger<ConsultationsService> logger) : V1.Consultations.ConsultationsBase
{
    private const string Service = "consultations.v1.Consultations/";
    private const int MaxQuestions = 50;
    private const int MaxQuestionLength = 5000;
    private const int MaxIssueTextLength = 100_000;

    private Instant Now => Instant.FromDateTimeOffset(time.GetUtcNow());

    [Authorize(Policy = Policies.Secretariat)]
    public override async Task<GroupMeeting> ScheduleGroupMeeting(ScheduleGroupMeetingRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller().RequireSecretariat();
        var startsOn = ParseDate(request.StartsOn, "starts_on");
        var venue = Required(request.Venue, "venue", ConsultationsDbContext.Limits.Venue);
        var key = Key(request.RequestId, "ScheduleGroupMeeting", caller);

        return await IdempotencyStore.ExecuteOnceAsync(db, key, GroupMeeting.Parser, _ =>
        {
            var meeting = new GroupMeetingRecord { Id = Guid.NewGuid(), StartsOn = startsOn, Venue = venue, CreatedAt = Now };
            db.GroupMeetings.Add(meeting);
            return Task.FromResult(ToProto(meeting));
        }, context.CancellationToken);
    }

    [AllowAnonymous]
    public override async Task<ListGroupMeetingsResponse> ListGroupMeetings(ListGroupMeetingsRequest request, ServerCallContext context)
    {
        var (offset, size) = Paging.Read(request.PageSize, request.PageToken);
        var page = await db.GroupMeetings.AsNoTracking()
            .OrderBy(m => m.StartsOn).ThenBy(m => m.Id)
            .Skip(offset).Take(size + 1).ToListAsync(context.CancellationToken);
        var response = new ListGroupMeetingsResponse { NextPageToken = Paging.Next(offset, Math.Min(size, page.Count), page.Count > size) };
        response.Meetings.AddRange(page.Take(size).Select(ToProto));
        return response;
    }

    [Authorize(Policy = Policies.MemberStateOrSecretariat)]
    public override async Task<V1.Consultation> OpenConsultation(OpenConsultationRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller().Require(
            context.GetCaller().IsMemberState || context.GetCaller().IsSecretariat,
            "only a Member State (role member-state with a country) or the secretariat may open a consultation: CWG-Internet is limited to Member States (Council Resolution 1344)");
        var meetingId = ParseId(request.MeetingId, "meeting_id");
        var title = Required(request.Title, "title", ConsultationsDbContext.Limits.Title);
        var issueText = Required(request.IssueText, "issue_text", MaxIssueTextLength);
        if (request.Questions.Count > MaxQuestions)
        {
            throw Invalid($"questions: at most {MaxQuestions} questions");
        }

        for (var i = 0; i < request.Questions.Count; i++)
        {
            Required(request.Questions[i], $"questions[{i}]", MaxQuestionLength);
        }

        var key = Key(request.RequestId, "OpenConsultation", caller);
        if (key is not null && await IdempotencyStore.FindAsync(db, key, V1.Consultation.Parser, context.CancellationToken) is { } earlier)
        {
            return earlier;
        }

        var meeting = await db.GroupMeetings.AsNoTracking().FirstOrDefaultAsync(m => m.Id == meetingId, context.CancellationToken)
            ?? throw NotFound($"meeting_id: no group meeting {meetingId}");
        var deadline = Deadline.ForMeetingStartingOn(meeting.StartsOn);
        var now = Now;
        if (!deadline.Accepts(now))
        {
            throw Precondition($"the response deadline for a meeting starting on {LocalDatePattern.Iso.Format(meeting.StartsOn)} ({deadline.Describe()}) has already passed");
        }

        return await IdempotencyStore.ExecuteOnceAsync(db, key, V1.Consultation.Parser, async ct =>
        {
            var record = new ConsultationRecord
            {
                Id = Guid.NewGuid(),
                MeetingId = meetingId,
                Title = title,
                IssueText = issueText,
                QuestionsJson = JsonSerializer.Serialize(request.Questions.ToArray()),
                ClosesAt = deadline.ClosesAt,
                Status = ConsultationStatus.Open,
                RoutingCode = await FreeRoutingCodeAsync(ct),
                OpenedAt = now,
                OpenedBySubject = caller.Subject ?? "",
                OpenedByCountryCode = caller.IsSecretariat ? "" : caller.Country ?? "",
            };
            db.Consultations.Add(record);
            IntegrationEventOutbox.Add(db, ConsultationEvents.Opened(record, meeting, now), record.Id.ToString());
            LogOpened(record.Id, LocalDatePattern.Iso.Format(meeting.StartsOn));
            return ToProto(record);
        }, context.CancellationToken);
    }

    [AllowAnonymous]
    public override async Task<V1.Consultation> GetConsultation(GetConsultationRequest request, ServerCallContext context)
    {
        var id = ParseId(request.Id, "id");
        var record = await db.Consultations.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, context.CancellationToken)
            ?? throw NotFound($"no consultation {id}");
        await CountLiveAsync([record], context.CancellationToken);
        return ToProto(record);
    }

    /// <summary>
    /// While a consultation is open its count is read from the responses (it is fixed at the
    /// close); a large count is reused for a few seconds (<see cref="LiveCounts"/>).
    /// </summary>
    private async Task CountLiveAsync(IReadOnlyCollection<ConsultationRecord> records, CancellationToken cancellationToken)
    {
        var toCount = new List<ConsultationRecord>();
        foreach (var record in records.Where(r => r.Status == ConsultationStatus.Open))
        {
            if (liveCounts.TryGet(record.Id, out var count))
            {
                record.PublishedResponseCount = count;
            }
            else
            {
                toCount.Add(record);
            }
        }

        if (toCount.Count == 0)
        {
            return;
        }

        var ids = toCount.Select(r => (Guid?)r.Id).ToList();
        var counts = await db.Responses.AsNoTracking().Where(r => r.Published && ids.Contains(r.ConsultationId))
            .GroupBy(r => r.ConsultationId).Select(g => new { Id = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Id!.Value, g => g.Count, cancellationToken);
        foreach (var record in toCount)
        {
            record.PublishedResponseCount = counts.GetValueOrDefault(record.Id);
            liveCounts.Remember(record.Id, record.PublishedResponseCount);
        }
    }

    [AllowAnonymous]
    public override async Task<ListConsultationsResponse> ListConsultations(ListConsultationsRequest request, ServerCallContext context)
    {
        var (offset, size) = Paging.Read(request.PageSize, request.PageToken);
        var query = db.Consultations.AsNoTracking();
        if (request.State != ConsultationState.Unspecified)
        {
            if (!System.Enum.IsDefined(request.State))
            {
                throw Invalid($"state {(int)request.State} is not a consultation state");
            }

            var status = (ConsultationStatus)(int)request.State;
            query = query.Where(c => c.Status == status);
        }

        var page = await query.OrderBy(c => c.ClosesAt).ThenBy(c => c.Id).Skip(offset).Take(size + 1)
            .ToListAsync(context.CancellationToken);
        await CountLiveAsync(page, context.CancellationToken);
        var response = new ListConsultationsResponse { NextPageToken = Paging.Next(offset, Math.Min(size, page.Count), page.Count > size) };
        response.Consultations.AddRange(page.Take(size).Select(ToProto));
        return response;
    }

    [AllowAnonymous]
    public override Task<Receipt> SubmitResponse(SubmitResponseRequest request, ServerCallContext context) =>
        intake.SubmitAsync(request, context.GetCaller(), context.CancellationToken);

    [Authorize(Policy = Policies.Secretariat)]
    public override Task<IngestEmailResponse> IngestEmail(IngestEmailRequest request, ServerCallContext context) =>
        intake.IngestAsync(request, context.GetCaller().RequireRole(Role.Secretariat), context.CancellationToken);

    [AllowAnonymous]
    public override async Task<ListResponsesResponse> ListResponses(ListResponsesRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var consultationId = ParseId(request.ConsultationId, "consultation_id");
        if (!await db.Consultations.AnyAsync(c => c.Id == consultationId, context.CancellationToken))
        {
            throw NotFound($"no consultation {consultationId}");
        }

        var query = db.Responses.AsNoTracking().Where(r => r.ConsultationId == consultationId);
        if (!caller.IsSecretariat)
        {
            query = query.Where(r => r.Published);
        }

        return await ListAsync(query, request.PageSize, request.PageToken, caller, context.CancellationToken);
    }

    [Authorize(Policy = Policies.Secretariat)]
    public override async Task<ListResponsesResponse> ListUnassignedResponses(ListUnassignedResponsesRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller().RequireSecretariat();
        var query = db.Responses.AsNoTracking().Where(r => r.ConsultationId == null);
        return await ListAsync(query, request.PageSize, request.PageToken, caller, context.CancellationToken);
    }

    [AllowAnonymous]
    public override async Task<V1.Response> GetResponse(GetResponseRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var id = ParseId(request.Id, "id");
        var record = await db.Responses.AsNoTracking().Include(r => r.Attachments.OrderBy(a => a.Index))
            .FirstOrDefaultAsync(r => r.Id == id && (r.Published || caller.IsSecretariat), context.CancellationToken)
            ?? throw NotFound($"no published response {id}");
        var response = ToProto(Summary.From(record), caller);
        if (caller.IsSecretariat && record.Channel != ResponseChannel.Web)
        {
            // The raw message carries the sender's address (and every other header): personal
            // data, so only the secretariat receives it. Its SHA-256 is the receipt's.
            response.RawMessage = ByteString.CopyFrom(record.Content);
        }

        return response;
    }

    [AllowAnonymous]
    public override async Task<Attachment> GetAttachment(GetAttachmentRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var id = ParseId(request.ResponseId, "response_id");
        if (request.Index < 0)
        {
            throw Invalid("index must not be negative");
        }

        var visible = await db.Responses.AnyAsync(r => r.Id == id && (r.Published || caller.IsSecretariat), context.CancellationToken);
        if (!visible)
        {
            throw NotFound($"no published response {id}");
        }

        var attachment = await db.ResponseAttachments.AsNoTracking()
            .FirstOrDefaultAsync(a => a.ResponseId == id && a.Index == request.Index, context.CancellationToken)
            ?? throw NotFound($"response {id} has no attachment {request.Index}");
        return new Attachment { Info = ToProto(attachment.Index, attachment.FileName, attachment.MediaType, attachment.Size, attachment.Sha256), Content = ByteString.CopyFrom(attachment.Content) };
    }

    [AllowAnonymous]
    public override async Task<ConsultationResults> GetConsultationResults(GetConsultationResultsRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var id = ParseId(request.ConsultationId, "consultation_id");
        var record = await db.Consultations.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, context.CancellationToken)
            ?? throw NotFound($"no consultation {id}");
        var (offset, size) = Paging.Read(request.PageSize, request.PageToken);
        var summaries = await Summaries(db.Responses.AsNoTracking().Where(r => r.ConsultationId == id && r.Published)
                .OrderBy(r => r.ReceivedAt).ThenBy(r => r.TrackingNumber))
            .ToListAsync(context.CancellationToken);
        var lateCount = await db.Responses.CountAsync(r => r.ConsultationId == id && r.Late, context.CancellationToken);

        await CountLiveAsync([record], context.CancellationToken);
        var groups = new CampaignDetector().FindGroups(summaries.Select(s => (s.Id, s.Text)));
        var groupOf = new Dictionary<Guid, string>();
        var results = new ConsultationResults
        {
            Consultation = ToProto(record),
            Total = summaries.Count,
            LateCount = lateCount,
        };
        var byTracking = summaries.ToDictionary(s => s.Id, s => s.TrackingNumber);
        foreach (var group in groups)
        {
            // Named after its earliest tracking number, so the id is stable while the group grows.
            var groupId = "sg-" + group.ResponseIds.Select(r => byTracking[r]).Min(StringComparer.Ordinal);
            foreach (var responseId in group.ResponseIds)
            {
                groupOf[responseId] = groupId;
            }

            if (offset == 0)
            {
                var proto = new SimilarityGroup { Id = groupId, Size = group.Count, Identical = group.Identical };
                proto.ResponseIds.AddRange(group.ResponseIds.Select(r => r.ToString()));
                results.SimilarityGroups.Add(proto);
            }
        }

        // One page of responses, stopped early rather than exceed what a client accepts in one message.
        var bytes = results.CalculateSize();
        var taken = 0;
        foreach (var summary in summaries.Skip(offset).Take(size))
        {
            var response = ToProto(summary, caller);
            response.SimilarityGroup = groupOf.GetValueOrDefault(summary.Id, "");
            bytes += response.CalculateSize();
            if (taken > 0 && bytes > PageBudget)
            {
                break;
            }

            results.Responses.Add(response);
            taken++;
        }

        results.NextPageToken = Paging.Next(offset, taken, offset + taken < summaries.Count);
        results.ByCategory.AddRange(CountBy(summaries, s => ((RespondentCategory)s.RespondentCategory).ToString()));
        results.ByCountry.AddRange(CountBy(summaries, s => s.RespondentCountryCode.Length == 0 ? "unknown" : s.RespondentCountryCode));
        results.ByChannel.AddRange(CountBy(summaries, s => ToProto(s.Channel).ToString()));
        return results;
    }

    [Authorize(Policy = Policies.Secretariat)]
    public override async Task<V1.Consultation> RecordExamination(RecordExaminationRequest request, ServerCallContext context)
    {
        context.GetCaller().RequireSecretariat();
        var id = ParseId(request.ConsultationId, "consultation_id");
        var meetingId = ParseId(request.MeetingId, "meeting_id");
        if (!await db.GroupMeetings.AnyAsync(m => m.Id == meetingId, context.CancellationToken))
        {
            throw NotFound($"meeting_id: no group meeting {meetingId}");
        }

        await closing.CloseIfDueAsync(id, context.CancellationToken);
        var record = await db.Consultations.FirstOrDefaultAsync(c => c.Id == id, context.CancellationToken)
            ?? throw NotFound($"no consultation {id}");
        if (record.Status != ConsultationStatus.Closed)
        {
            throw Precondition($"the consultation is {ToProto(record.Status)}; only a CLOSED consultation can be recorded as examined");
        }

        record.Status = ConsultationStatus.Examined;
        record.ExaminedAtMeetingId = meetingId;
        record.ExaminedAt = Now;
        await SaveGuardedAsync(context.CancellationToken);
        return ToProto(record);
    }

    [Authorize(Policy = Policies.Secretariat)]
    public override async Task<V1.Consultation> PublishResults(PublishResultsRequest request, ServerCallContext context)
    {
        context.GetCaller().RequireSecretariat();
        var id = ParseId(request.ConsultationId, "consultation_id");
        var summary = Required(request.Summary, "summary", MaxIssueTextLength);
        var record = await db.Consultations.FirstOrDefaultAsync(c => c.Id == id, context.CancellationToken)
            ?? throw NotFound($"no consultation {id}");
        if (record.Status != ConsultationStatus.Examined)
        {
            throw Precondition($"the consultation is {ToProto(record.Status)}; results are published after RecordExamination (state EXAMINED)");
        }

        var now = Now;
        record.Status = ConsultationStatus.ResultsPublished;
        record.ResultsSummary = summary;
        record.ResultsPublishedAt = now;
        IntegrationEventOutbox.Add(db, ConsultationEvents.ResultsPublished(record, now), record.Id.ToString());
        await SaveGuardedAsync(context.CancellationToken);
        return ToProto(record);
    }

    private async Task SaveGuardedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw RpcErrors.Precondition("the consultation changed meanwhile; read it again and retry");
        }
    }

    private async Task<ListResponsesResponse> ListAsync(IQueryable<ResponseRecord> query, int pageSize, string pageToken, Caller caller, CancellationToken cancellationToken)
    {
        // Receipt order. A page continues after the previous page's last response (its receipt time
        // and tracking number), so the thousandth page of a rush reads what the first does; offset
        // tokens issued before keep working.
        var (offset, after, size) = Paging.ReadResponses(pageSize, pageToken);
        if (after is not null)
        {
            var at = Instant.FromUnixTimeTicks(after.ReceivedAtTicks);
            var tracking = after.TrackingNumber;
            query = query.Where(r => r.ReceivedAt >= at
                && (r.ReceivedAt > at || string.Compare(r.TrackingNumber, tracking) > 0));
        }

        var page = await Summaries(query.OrderBy(r => r.ReceivedAt).ThenBy(r => r.TrackingNumber).Skip(offset).Take(size + 1))
            .ToListAsync(cancellationToken);

        // Texts may be long: stop a page early rather than exceed what a client accepts in one message.
        const int pageBudget = PageBudget;
        var response = new ListResponsesResponse();
        var bytes = 0;
        var taken = 0;
        foreach (var summary in page.Take(size))
        {
            var proto = ToProto(summary, caller);
            bytes += proto.CalculateSize();
            if (taken > 0 && bytes > pageBudget)
            {
                break;
            }

            response.Responses.Add(proto);
            taken++;
        }

        if (page.Count > taken)
        {
            var last = page[taken - 1];
            response.NextPageToken = Paging.After(new ResponsePosition(last.ReceivedAt.ToUnixTimeTicks(), last.TrackingNumber));
        }

        return response;
    }

    private async Task<string> FreeRoutingCodeAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var code = MailRouting.NewCode();
            if (!await db.Consultations.AnyAsync(c => c.RoutingCode == code, cancellationToken))
            {
                return code;
            }
        }

        throw Unavailable("no free routing code was found; retry");
    }

    private static IdempotencyKey? Key(string requestId, string operation, Caller caller)
    {
        try
        {
            return IdempotencyKey.For(requestId, Service + operation, caller);
        }
        catch (ArgumentException e)
        {
            throw Invalid(e.Message);
        }
    }

    private static LocalDate ParseDate(string value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw Invalid($"{field} is required (YYYY-MM-DD)");
        }

        var result = LocalDatePattern.Iso.Parse(value.Trim());
        return result.Success ? result.Value : throw Invalid($"{field} '{Shorten(value)}' is not a date (YYYY-MM-DD)");
    }

    private static IEnumerable<CountBy> CountBy(IEnumerable<Summary> summaries, Func<Summary, string> key) =>
        summaries.GroupBy(key).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new CountBy { Key = g.Key, Count = g.Count() });

    /// <summary>A response without its stored bytes (lists never carry raw messages or attachment contents).</summary>
    internal sealed record Summary(
        Guid Id, Guid? ConsultationId, string TrackingNumber, ResponseChannel Channel, Instant ReceivedAt, string Sha256,
        string Text, string Subject, string RespondentName, string RespondentOrganisation, int RespondentCategory,
        string RespondentCountryCode, string RespondentEmail, bool Late, bool Published, string ProblemsJson,
        List<AttachmentInfo> Attachments)
    {
        public static Summary From(ResponseRecord r) => new(
            r.Id, r.ConsultationId, r.TrackingNumber, r.Channel, r.ReceivedAt, r.Sha256, r.Text, r.Subject, r.RespondentName,
            r.RespondentOrganisation, r.RespondentCategory, r.RespondentCountryCode, r.RespondentEmail, r.Late, r.Published,
            r.ProblemsJson, r.Attachments.OrderBy(a => a.Index).Select(a => ToProto(a.Index, a.FileName, a.MediaType, a.Size, a.Sha256)).ToList());
    }

    /// <summary>A page of responses stops early past this many bytes (a client accepts 4 MiB in one message by default).</summary>
    private const int PageBudget = 3 * 1024 * 1024;

    private static IQueryable<Summary> Summaries(IQueryable<ResponseRecord> query) =>
        query.Select(r => new Summary(
            r.Id, r.ConsultationId, r.TrackingNumber, r.Channel, r.ReceivedAt, r.Sha256, r.Text, r.Subject, r.RespondentName,
            r.RespondentOrganisation, r.RespondentCategory, r.RespondentCountryCode, r.RespondentEmail, r.Late, r.Published,
            r.ProblemsJson,
            r.Attachments.OrderBy(a => a.Index).Select(a => new AttachmentInfo { Index = a.Index, FileName = a.FileName, MediaType = a.MediaType, Size = a.Size, Sha256 = a.Sha256 }).ToList()));

    internal static V1.Response ToProto(Summary s, Caller caller)
    {
        var response = new V1.Response
        {
            Id = s.Id.ToString(),
            ConsultationId = s.ConsultationId?.ToString() ?? "",
            TrackingNumber = s.TrackingNumber,
            Channel = ToProto(s.Channel),
            ReceivedAt = Timestamp.FromDateTimeOffset(s.ReceivedAt.ToDateTimeOffset()),
            Sha256 = s.Sha256,
            Respondent = new Respondent
            {
                Name = s.RespondentName,
                Organisation = s.RespondentOrganisation,
                Category = (RespondentCategory)s.RespondentCategory,
                CountryCode = s.RespondentCountryCode,
                // Personal data: the secretariat only, never on public responses.
                Email = caller.IsSecretariat ? s.RespondentEmail : "",
            },
            Text = s.Text,
            Subject = s.Subject,
            Late = s.Late,
            Published = s.Published,
        };
        response.Attachments.AddRange(s.Attachments);
        response.Problems.AddRange(JsonSerializer.Deserialize<string[]>(s.ProblemsJson) ?? []);
        return response;
    }

    internal static AttachmentInfo ToProto(int index, string fileName, string mediaType, long size, string sha256) =>
        new() { Index = index, FileName = fileName, MediaType = mediaType, Size = size, Sha256 = sha256 };

    internal static Channel ToProto(ResponseChannel channel) => channel switch
    {
        ResponseChannel.Web => Channel.Web,
        ResponseChannel.Email => Channel.Email,
        ResponseChannel.MailingList => Channel.MailingList,
        _ => Channel.Unspecified,
    };

    internal static ConsultationState ToProto(ConsultationStatus status) => (ConsultationState)(int)status;

    private static GroupMeeting ToProto(GroupMeetingRecord m) =>
        new() { Id = m.Id.ToString(), StartsOn = LocalDatePattern.Iso.Format(m.StartsOn), Venue = m.Venue };

    private V1.Consultation ToProto(ConsultationRecord c)
    {
        var consultation = new V1.Consultation
        {
            Id = c.Id.ToString(),
            MeetingId = c.MeetingId.ToString(),
            Title = c.Title,
            IssueText = c.IssueText,
            Deadline = new V1.ResponseDeadline
            {
                Instant = Timestamp.FromDateTimeOffset(c.ClosesAt.ToDateTimeOffset()),
                GenevaTime = Deadline.FormatInGeneva(c.ClosesAt),
                TimeZone = Deadline.Geneva.Id,
            },
            State = ToProto(c.Status),
            EmailAddress = MailRouting.Address(options.Value.Mail.AddressTemplate, c.RoutingCode),
            SubjectTag = MailRouting.SubjectTag(c.RoutingCode),
            PublishedResponseCount = c.PublishedResponseCount,
            OpenedAt = Timestamp.FromDateTimeOffset(c.OpenedAt.ToDateTimeOffset()),
            OpenedByCountryCode = c.OpenedByCountryCode,
            ResponsesDigest = c.ResponsesDigest ?? "",
            ExaminedAtMeetingId = c.ExaminedAtMeetingId?.ToString() ?? "",
            ResultsSummary = c.ResultsSummary ?? "",
        };
        consultation.Questions.AddRange(JsonSerializer.Deserialize<string[]>(c.QuestionsJson) ?? []);
        if (c.ClosedAt is { } closedAt)
        {
            consultation.ClosedAt = Timestamp.FromDateTimeOffset(closedAt.ToDateTimeOffset());
        }

        return consultation;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Consultation {ConsultationId} opened for the meeting of {MeetingDay}")]
    private partial void LogOpened(Guid consultationId, string meetingDay);
}
