using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Text;
using Platform.Data;
using Platform.Messaging;
using Platform.Security;
using Wsis.Consultations.Closing;
using Wsis.Consultations.Data;
using Wsis.Consultations.Intake;
using Wsis.Consultations.IntegrationEvents;
using Wsis.Consultations.Log;
using Wsis.Contracts.Verification;
using Wsis.Consultations.Model;
using V1 = Wsis.Consultations.V1;

namespace Wsis.Consultations.Grpc;

/// <summary>
/// consultations.v1.Consultations: CWG-Internet open consultations (Council Resolution 1344). The
/// rules are the model's (<see cref="Consultation"/>, <see cref="Response"/>); responses come in
/// through <see cref="ResponseIntake"/> and consultations close by <see cref="ConsultationClosing"/>.
/// Public callers see published responses exactly as received, without the respondent's e-mail address.
/// </summary>
public sealed partial class ConsultationsService(
    ConsultationsDbContext db,
    ResponseIntake intake,
    ConsultationClosing closing,
    LiveCounts liveCounts,
    Examination.ExaminationPackages packages,
    LogSigningKey signingKey,
    IOptions<ConsultationsOptions> options,
    TimeProvider time,
    ILogger<ConsultationsService> logger) : V1.Consultations.ConsultationsBase
{
    /// <summary>A page of responses stops early past this many bytes (a client accepts 4 MiB in one message by default).</summary>
    private const int PageBudget = 3 * 1024 * 1024;

    /// <summary>GetConsultationResults lists similarity groups within this many bytes, each with at most <see cref="GroupMembersListed"/> members.</summary>
    private const int GroupsBudget = 512 * 1024;

    private const int GroupMembersListed = 1000;

    private Instant Now => Instant.FromDateTimeOffset(time.GetUtcNow());

    [Authorize(Policy = Policies.Secretariat)]
    public override async Task<V1.GroupMeeting> ScheduleGroupMeeting(V1.ScheduleGroupMeetingRequest request, ServerCallContext context)
    {
        var startsOn = Input.Date(request.StartsOn, "starts_on");
        var key = IdempotencyKey.ForCall(request.RequestId, context, context.GetCaller());
        return await IdempotencyStore.ExecuteOnceAsync(db, key, V1.GroupMeeting.Parser, _ =>
        {
            var meeting = GroupMeeting.Schedule(startsOn, request.Venue, Now);
            db.GroupMeetings.Add(meeting);
            return Task.FromResult(Mapping.ToMessage(meeting));
        }, context.CancellationToken);
    }

    [AllowAnonymous]
    public override async Task<V1.ListGroupMeetingsResponse> ListGroupMeetings(V1.ListGroupMeetingsRequest request, ServerCallContext context)
    {
        var page = Paging.ReadOffset(request.PageSize, request.PageToken);
        var meetings = await db.GroupMeetings.AsNoTracking().OrderBy(m => m.StartsOn).ThenBy(m => m.Id)
            .Skip(page.Offset).Take(page.Size + 1).ToListAsync(context.CancellationToken);
        var response = new V1.ListGroupMeetingsResponse { NextPageToken = page.NextAt(Math.Min(page.Size, meetings.Count), meetings.Count > page.Size) };
        response.Meetings.AddRange(meetings.Take(page.Size).Select(Mapping.ToMessage));
        return response;
    }

    [Authorize(Policy = Policies.MemberStateOrSecretariat)]
    public override async Task<V1.Consultation> OpenConsultation(V1.OpenConsultationRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var meetingId = Input.Id(request.MeetingId, "meeting_id");
        var key = IdempotencyKey.ForCall(request.RequestId, context, caller);
        return await IdempotencyStore.ExecuteOnceAsync(db, key, V1.Consultation.Parser, async ct =>
        {
            var meeting = await LoadMeetingAsync(meetingId, ct);
            var consultation = Consultation.Open(meeting, request.Title, request.IssueText, request.Questions, await FreeRoutingCodeAsync(ct), Mapping.ActorOf(caller), Now);
            db.Consultations.Add(consultation);
            db.AddIntegrationEvent(ConsultationEvents.Opened(consultation, meeting), ConsultationEvents.AggregateKey(consultation.Id));
            LogOpened(consultation.Id, LocalDatePattern.Iso.Format(meeting.StartsOn));
            return Present(consultation, 0);
        }, context.CancellationToken);
    }

    [AllowAnonymous]
    public override async Task<V1.Consultation> GetConsultation(V1.GetConsultationRequest request, ServerCallContext context)
    {
        var consultation = await LoadConsultationAsync(Input.Id(request.Id, "id"), context.CancellationToken, tracked: false);
        var counts = await liveCounts.PublishedCountsAsync(db, [consultation], context.CancellationToken);
        return Present(consultation, counts, await FinalCheckpointsAsync([consultation], context.CancellationToken));
    }

    [AllowAnonymous]
    public override async Task<V1.ListConsultationsResponse> ListConsultations(V1.ListConsultationsRequest request, ServerCallContext context)
    {
        var page = Paging.ReadOffset(request.PageSize, request.PageToken);
        var query = db.Consultations.AsNoTracking();
        if (request.State != V1.ConsultationState.Unspecified)
        {
            var state = (ConsultationState)request.State;
            if (!System.Enum.IsDefined(state))
            {
                throw DomainException.InvalidArgument($"state {(int)request.State} is not a consultation state (OPEN, CLOSED, EXAMINED, RESULTS_PUBLISHED)");
            }

            query = query.Where(c => c.State == state);
        }

        var consultations = await query.OrderBy(c => c.ClosesAt).ThenBy(c => c.Id).Skip(page.Offset).Take(page.Size + 1).ToListAsync(context.CancellationToken);
        var shown = consultations.Take(page.Size).ToList();
        var counts = await liveCounts.PublishedCountsAsync(db, shown, context.CancellationToken);
        var response = new V1.ListConsultationsResponse { NextPageToken = page.NextAt(shown.Count, consultations.Count > page.Size) };
        var finals = await FinalCheckpointsAsync(shown, context.CancellationToken);
        response.Consultations.AddRange(shown.Select(c => Present(c, counts, finals)));
        return response;
    }

    [AllowAnonymous]
    public override Task<V1.Receipt> SubmitResponse(V1.SubmitResponseRequest request, ServerCallContext context) =>
        intake.SubmitAsync(request, IdempotencyKey.ForCall(request.RequestId, context, context.GetCaller()), context.CancellationToken);

    [Authorize(Policy = Policies.Secretariat)]
    public override Task<V1.IngestEmailResponse> IngestEmail(V1.IngestEmailRequest request, ServerCallContext context) =>
        intake.IngestAsync(request, IdempotencyKey.ForCall(request.RequestId, context, context.GetCaller()), context.CancellationToken);

    [AllowAnonymous]
    public override async Task<V1.ListResponsesResponse> ListResponses(V1.ListResponsesRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var consultationId = Input.Id(request.ConsultationId, "consultation_id");
        if (!await db.Consultations.AnyAsync(c => c.Id == consultationId, context.CancellationToken))
        {
            throw DomainException.NotFound($"no consultation {consultationId}");
        }

        var query = db.Responses.AsNoTracking().Where(r => r.ConsultationId == consultationId);
        // Responses not published (late, or kept for the secretariat) are for the secretariat only.
        query = caller.IsSecretariat ? query : query.Where(r => r.Published);
        return await ListAsync(query, request.PageSize, request.PageToken, caller, context.CancellationToken, request.NewestFirst);
    }

    [AllowAnonymous]
    public override async Task<V1.ListResponsesResponse> SearchResponses(V1.SearchResponsesRequest request, ServerCallContext context)
    {
        var text = Input.Required(request.Query, "query", ResponseSearch.QueryMax);
        if (ResponseSearch.Words(text).Count == 0)
        {
            throw DomainException.InvalidArgument("query: give at least one word (letters or digits) to search for");
        }

        // Published responses only, whoever asks: the search is the public's.
        var query = ResponseSearch.Matching(db, text).AsNoTracking().Where(r => r.Published);
        if (!string.IsNullOrEmpty(request.ConsultationId))
        {
            var consultationId = Input.Id(request.ConsultationId, "consultation_id");
            query = query.Where(r => r.ConsultationId == consultationId);
        }
        if (request.Category != V1.RespondentCategory.Unspecified)
        {
            var category = Mapping.Category(request.Category);
            query = query.Where(r => r.RespondentCategory == category);
        }
        if (!string.IsNullOrEmpty(request.CountryCode))
        {
            var country = request.CountryCode.ToUpperInvariant();
            query = query.Where(r => r.RespondentCountryCode == country);
        }
        if (request.Channel != V1.Channel.Unspecified)
        {
            var channel = (ResponseChannel)request.Channel;
            query = query.Where(r => r.Channel == channel);
        }

        return await ListAsync(query, request.PageSize, request.PageToken, Caller.Anonymous, context.CancellationToken);
    }

    [Authorize(Policy = Policies.Secretariat)]
    public override Task<V1.ListResponsesResponse> ListUnassignedResponses(V1.ListUnassignedResponsesRequest request, ServerCallContext context) =>
        ListAsync(db.Responses.AsNoTracking().Where(r => r.ConsultationId == null), request.PageSize, request.PageToken, context.GetCaller(), context.CancellationToken);

    [AllowAnonymous]
    public override async Task<V1.Response> GetResponse(V1.GetResponseRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var id = Input.Id(request.Id, "id");
        var visible = db.Responses.AsNoTracking().Where(r => r.Id == id && (r.Published || caller.IsSecretariat));
        var summary = await visible.Summaries().FirstOrDefaultAsync(context.CancellationToken)
            ?? throw DomainException.NotFound($"no published response {id}");
        var response = Mapping.ToMessage(summary, caller);
        if (caller.IsSecretariat && summary.Channel != ResponseChannel.Web)
        {
            // The raw message carries the sender's address (and every other header): personal
            // data, so only the secretariat receives it. Its SHA-256 is the receipt's.
            response.RawMessage = ByteString.CopyFrom(await visible.Select(r => r.Content).FirstAsync(context.CancellationToken));
        }

        return response;
    }

    [AllowAnonymous]
    public override async Task<V1.Attachment> GetAttachment(V1.GetAttachmentRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var id = Input.Id(request.ResponseId, "response_id");
        if (request.Index < 0)
        {
            throw DomainException.InvalidArgument("index must not be negative");
        }

        if (!await db.Responses.AnyAsync(r => r.Id == id && (r.Published || caller.IsSecretariat), context.CancellationToken))
        {
            throw DomainException.NotFound($"no published response {id}");
        }

        var attachment = await db.ResponseAttachments.AsNoTracking().FirstOrDefaultAsync(a => a.ResponseId == id && a.Index == request.Index, context.CancellationToken)
            ?? throw DomainException.NotFound($"response {id} has no attachment {request.Index}");
        return new V1.Attachment { Info = Mapping.ToMessage(attachment), Content = ByteString.CopyFrom(attachment.Content) };
    }

    [Authorize(Policy = Policies.Secretariat)]
    public override Task<V1.IngestEmailResponse> AssignResponse(V1.AssignResponseRequest request, ServerCallContext context) =>
        intake.AssignAsync(request, Mapping.ActorOf(context.GetCaller()), context.CancellationToken);

    [AllowAnonymous]
    public override async Task<V1.PublishedRecord> GetPublishedRecord(V1.GetPublishedRecordRequest request, ServerCallContext context)
    {
        var id = Input.Id(request.ResponseId, "response_id");
        var record = await db.Responses.AsNoTracking().Where(r => r.Id == id && r.Published)
            .Select(r => new { r.PublishedRecord, r.PublishedSha256, LogIndex = (long?)r.Leaf!.Index }).FirstOrDefaultAsync(context.CancellationToken)
            ?? throw DomainException.NotFound($"no published response {id}");
        if (record.PublishedRecord is null || record.LogIndex is null)
        {
            throw DomainException.NotFound($"response {id} was stored before published records existed; it gets its record when its consultation closes");
        }

        return new V1.PublishedRecord
        {
            ResponseId = id.ToString(),
            Content = ByteString.CopyFrom(record.PublishedRecord),
            Sha256 = record.PublishedSha256,
            LeafIndex = record.LogIndex.Value,
        };
    }

    [AllowAnonymous]
    public override async Task<V1.SignedCheckpoint> GetLogCheckpoint(V1.GetLogCheckpointRequest request, ServerCallContext context)
    {
        var id = await ExistingConsultationAsync(request.ConsultationId, context.CancellationToken);
        return Mapping.ToMessage(await CheckpointAsync(id, request.TreeSize, "tree_size", context.CancellationToken));
    }

    [AllowAnonymous]
    public override async Task<V1.InclusionProof> GetInclusionProof(V1.GetInclusionProofRequest request, ServerCallContext context)
    {
        var id = await ExistingConsultationAsync(request.ConsultationId, context.CancellationToken);
        var responseId = Input.Id(request.ResponseId, "response_id");
        var leaf = await db.Responses.AsNoTracking().Where(r => r.Id == responseId && r.ConsultationId == id && r.Published && r.Leaf != null)
            .Select(r => new { LogIndex = (long?)r.Leaf!.Index, r.PublishedSha256 }).FirstOrDefaultAsync(context.CancellationToken)
            ?? throw DomainException.NotFound($"response_id: no response {responseId} in the log of consultation {id}");
        var index = leaf.LogIndex!.Value;
        var checkpoint = await CheckpointAsync(id, request.TreeSize, "tree_size", context.CancellationToken);
        if (checkpoint.Size <= index)
        {
            throw DomainException.InvalidArgument($"tree_size: leaf {index} entered the log after its size {checkpoint.Size}; ask for a larger size (or 0, the latest)");
        }

        var path = await LogProofs.ComputeAsync(db, id, nodes => MerkleLog.InclusionProof(nodes, index, checkpoint.Size), context.CancellationToken);
        var proof = new V1.InclusionProof
        {
            ConsultationId = id.ToString(),
            ResponseId = responseId.ToString(),
            PublishedSha256 = leaf.PublishedSha256,
            LeafIndex = index,
            TreeSize = checkpoint.Size,
            Checkpoint = Mapping.ToMessage(checkpoint),
        };
        proof.Path.AddRange(path.Select(ByteString.CopyFrom));
        return proof;
    }

    [AllowAnonymous]
    public override async Task<V1.ConsistencyProof> GetConsistencyProof(V1.GetConsistencyProofRequest request, ServerCallContext context)
    {
        var id = await ExistingConsultationAsync(request.ConsultationId, context.CancellationToken);
        var newer = await CheckpointAsync(id, request.NewSize, "new_size", context.CancellationToken);
        if (request.OldSize <= 0 || request.OldSize > newer.Size)
        {
            throw DomainException.InvalidArgument($"old_size must be between 1 and the new size {newer.Size}");
        }

        var older = await CheckpointAsync(id, request.OldSize, "old_size", context.CancellationToken);
        var proof = await LogProofs.ComputeAsync(db, id, nodes => MerkleLog.ConsistencyProof(nodes, older.Size, newer.Size), context.CancellationToken);
        var message = new V1.ConsistencyProof
        {
            ConsultationId = id.ToString(),
            OldSize = older.Size,
            NewSize = newer.Size,
            OldCheckpoint = Mapping.ToMessage(older),
            NewCheckpoint = Mapping.ToMessage(newer),
        };
        message.Proof.AddRange(proof.Select(ByteString.CopyFrom));
        return message;
    }

    [AllowAnonymous]
    public override Task<V1.LogPublicKey> GetLogPublicKey(V1.GetLogPublicKeyRequest request, ServerCallContext context) =>
        Task.FromResult(new V1.LogPublicKey
        {
            PublicKeyPem = signingKey.PublicKeyPem,
            KeyId = signingKey.KeyId,
            Algorithm = "ECDSA P-256 SHA-256, IEEE P1363 signature",
        });

    /// <summary>The checkpoint signed at <paramref name="size"/>, or the latest for 0.</summary>
    private async Task<LogCheckpoint> CheckpointAsync(Guid consultationId, long size, string field, CancellationToken cancellationToken)
    {
        if (size < 0)
        {
            throw DomainException.InvalidArgument($"{field} must not be negative");
        }

        var checkpoints = db.LogCheckpoints.AsNoTracking().Where(c => c.ConsultationId == consultationId);
        var latest = await checkpoints.OrderByDescending(c => c.Size).FirstOrDefaultAsync(cancellationToken)
            ?? throw DomainException.NotFound($"the log of consultation {consultationId} has no checkpoint yet: no response has entered it");
        if (size == 0 || size == latest.Size)
        {
            return latest;
        }

        return await checkpoints.FirstOrDefaultAsync(c => c.Size == size, cancellationToken)
            ?? throw DomainException.NotFound(
                $"{field}: no checkpoint of size {size} in the log of consultation {consultationId}; one is signed at the size each stored batch ends at (the latest: {latest.Size})");
    }

    private async Task<Guid> ExistingConsultationAsync(string given, CancellationToken cancellationToken)
    {
        var id = Input.Id(given, "consultation_id");
        return await db.Consultations.AnyAsync(c => c.Id == id, cancellationToken) ? id : throw DomainException.NotFound($"consultation_id: no consultation {id}");
    }

    /// <summary>The final checkpoints of the consultations that have closed (the log's checkpoint of their published count).</summary>
    private async Task<Dictionary<Guid, LogCheckpoint>> FinalCheckpointsAsync(IEnumerable<Consultation> consultations, CancellationToken cancellationToken)
    {
        var finals = new Dictionary<Guid, LogCheckpoint>();
        foreach (var c in consultations.Where(c => c.State != ConsultationState.Open))
        {
            var count = (long)c.PublishedResponseCount;
            if (await db.LogCheckpoints.AsNoTracking().FirstOrDefaultAsync(k => k.ConsultationId == c.Id && k.Size == count, cancellationToken) is { } final)
            {
                finals[c.Id] = final;
            }
        }

        return finals;
    }

    [AllowAnonymous]
    public override async Task<V1.ConsultationResults> GetConsultationResults(V1.GetConsultationResultsRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var id = Input.Id(request.ConsultationId, "consultation_id");
        var page = Paging.ReadOffset(request.PageSize, request.PageToken);
        var consultation = await LoadConsultationAsync(id, context.CancellationToken, tracked: false);
        var counts = await liveCounts.PublishedCountsAsync(db, [consultation], context.CancellationToken);
        var publishedCount = counts.TryGetValue(id, out var live) ? live : consultation.PublishedResponseCount;
        // Counts and similar texts over every response: computed once and kept (ExaminationPackages);
        // the page of responses is read on its own.
        var package = await packages.GetAsync(consultation, publishedCount, context.CancellationToken);
        var results = new V1.ConsultationResults
        {
            Consultation = Present(consultation, counts, await FinalCheckpointsAsync([consultation], context.CancellationToken)),
            Total = package.Total,
            LateCount = await db.Responses.CountAsync(r => r.ConsultationId == id && r.Late, context.CancellationToken),
        };
        results.ByCategory.AddRange(Mapping.Counts(package.ByCategory));
        results.ByCountry.AddRange(Mapping.Counts(package.ByCountry));
        results.ByChannel.AddRange(Mapping.Counts(package.ByChannel));
        if (page.Offset == 0)
        {
            // On the first page, the largest groups first within GroupsBudget, each with its first
            // GroupMembersListed members: a campaign of 100,000 letters would otherwise pass the 4 MiB
            // a client accepts. Every response names its group on its page, so paging finds them all.
            var bytes = 0;
            foreach (var group in package.Groups)
            {
                var message = Mapping.ToMessage(group, GroupMembersListed);
                bytes += message.CalculateSize();
                if (results.SimilarityGroups.Count > 0 && bytes > GroupsBudget)
                {
                    break;
                }

                results.SimilarityGroups.Add(message);
            }
        }

        var rows = await db.Responses.AsNoTracking().Where(r => r.ConsultationId == id && r.Published)
            .InReceiptOrder().Skip(page.Offset).Take(page.Size + 1).Summaries().ToListAsync(context.CancellationToken);
        var taken = AddWithinBudget(results.Responses, rows.Take(page.Size), caller, results.CalculateSize(),
            (summary, message) => message.SimilarityGroup = package.GroupOf(summary.Id));
        results.NextPageToken = page.NextAt(taken, more: taken < rows.Count);
        return results;
    }

    [Authorize(Policy = Policies.Secretariat)]
    public override async Task<V1.Consultation> RecordExamination(V1.RecordExaminationRequest request, ServerCallContext context)
    {
        var id = Input.Id(request.ConsultationId, "consultation_id");
        var meeting = await LoadMeetingAsync(Input.Id(request.MeetingId, "meeting_id"), context.CancellationToken);
        // Right after the deadline the closing service may not have run yet.
        await closing.CloseIfDueAsync(id, context.CancellationToken);
        var consultation = await LoadConsultationAsync(id, context.CancellationToken);
        consultation.RecordExamination(meeting, Mapping.ActorOf(context.GetCaller()), Now);
        await db.SaveChangesAsync(context.CancellationToken);
        return Present(consultation, consultation.PublishedResponseCount);
    }

    [Authorize(Policy = Policies.Secretariat)]
    public override async Task<V1.Consultation> PublishResults(V1.PublishResultsRequest request, ServerCallContext context)
    {
        var consultation = await LoadConsultationAsync(Input.Id(request.ConsultationId, "consultation_id"), context.CancellationToken);
        consultation.PublishResults(request.Summary, Mapping.ActorOf(context.GetCaller()), Now);
        db.AddIntegrationEvent(ConsultationEvents.ResultsPublished(consultation), ConsultationEvents.AggregateKey(consultation.Id));
        await db.SaveChangesAsync(context.CancellationToken);
        return Present(consultation, consultation.PublishedResponseCount);
    }

    [Authorize(Policy = Policies.Secretariat)]
    public override async Task<V1.ListHistoryResponse> ListConsultationHistory(V1.ListConsultationHistoryRequest request, ServerCallContext context)
    {
        var page = Paging.Read(request.PageSize, request.PageToken);
        var id = Input.Id(request.ConsultationId, "consultation_id");
        if (!await db.Consultations.AnyAsync(c => c.Id == id, context.CancellationToken))
        {
            throw DomainException.NotFound($"no consultation {id}");
        }

        var (entries, next) = await db.ReadHistoryAsync(HistorySubject.Consultation, id, page, context.CancellationToken);
        return Mapping.ToMessage(entries, next);
    }

    private async Task<V1.ListResponsesResponse> ListAsync(IQueryable<Response> query, int pageSize, string pageToken, Caller caller, CancellationToken cancellationToken,
        bool newestFirst = false)
    {
        var paging = Paging.Read(pageSize, pageToken);
        var page = await query.PageAsync(paging, newestFirst, cancellationToken);
        var response = new V1.ListResponsesResponse();
        var taken = AddWithinBudget(response.Responses, page.Take(paging.Size), caller, 0, (_, _) => { });
        if (page.Count > taken)
        {
            response.NextPageToken = ResponseReads.After(page[taken - 1], newestFirst);
        }

        return response;
    }

    /// <summary>Adds responses until the page would pass <see cref="PageBudget"/> bytes (texts may be long); at least one. Returns how many.</summary>
    private static int AddWithinBudget(
        Google.Protobuf.Collections.RepeatedField<V1.Response> target, IEnumerable<ResponseSummary> responses, Caller caller, int bytes, Action<ResponseSummary, V1.Response> complete)
    {
        var taken = 0;
        foreach (var summary in responses)
        {
            var message = Mapping.ToMessage(summary, caller);
            complete(summary, message);
            bytes += message.CalculateSize();
            if (taken > 0 && bytes > PageBudget)
            {
                break;
            }

            target.Add(message);
            taken++;
        }

        return taken;
    }

    private V1.Consultation Present(Consultation consultation, IReadOnlyDictionary<Guid, int> liveCountsById, IReadOnlyDictionary<Guid, LogCheckpoint>? finals = null) =>
        Present(consultation, liveCountsById.GetValueOrDefault(consultation.Id, consultation.PublishedResponseCount), finals?.GetValueOrDefault(consultation.Id));

    private V1.Consultation Present(Consultation consultation, int publishedResponseCount, LogCheckpoint? finalCheckpoint = null) =>
        Mapping.ToMessage(consultation, publishedResponseCount, options.Value.Mail.AddressTemplate, finalCheckpoint);

    private async Task<Consultation> LoadConsultationAsync(Guid id, CancellationToken cancellationToken, bool tracked = true)
    {
        var query = tracked ? db.Consultations : db.Consultations.AsNoTracking();
        return await query.FirstOrDefaultAsync(c => c.Id == id, cancellationToken) ?? throw DomainException.NotFound($"no consultation {id}");
    }

    private async Task<GroupMeeting> LoadMeetingAsync(Guid id, CancellationToken cancellationToken) =>
        await db.GroupMeetings.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, cancellationToken)
            ?? throw DomainException.NotFound($"meeting_id: no group meeting {id}");

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

        throw DomainException.Unavailable("no free routing code was found; retry", TimeSpan.FromSeconds(1));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Consultation {ConsultationId} opened for the meeting of {MeetingDay}")]
    private partial void LogOpened(Guid consultationId, string meetingDay);
}
