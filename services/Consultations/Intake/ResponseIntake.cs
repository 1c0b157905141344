using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;
using Platform.Data;
using Platform.Messaging;
using Wsis.Consultations.Closing;
using Wsis.Consultations.Data;
using Wsis.Consultations.Grpc;
using Wsis.Consultations.IntegrationEvents;
using Wsis.Consultations.Log;
using Wsis.Consultations.Model;
using Wsis.Consultations.Model.Mail;
using V1 = Wsis.Consultations.V1;

namespace Wsis.Consultations.Intake;

/// <summary>
/// Takes responses in from every channel and stores each once, as received.
/// </summary>
/// <remarks>
/// Race with the close: an on-time response is stored in one transaction that first locks the
/// consultation's row in a mode that lets submissions run side by side but not beside the close,
/// checking in the same statement that it is open and before its deadline. On PostgreSQL that is
/// <c>SELECT … FOR SHARE</c>; SQLite has one writer at a time, so there a no-op conditional
/// <c>UPDATE</c> takes the write lock. The close (<see cref="ConsultationClosing"/>) locks the row
/// exclusively before it reads the published set: it waits for the submissions in flight, and
/// submissions after it see CLOSED. Either a response commits first and the close counts it, or
/// the close commits first and the response is not published (a web submission is refused with
/// FAILED_PRECONDITION, an e-mail kept as late). No published response can miss the digest.
/// </remarks>
public sealed partial class ResponseIntake(
    ConsultationsDbContext db,
    IntakeGate gate,
    IntakeWriter writer,
    ConsultationDeadlines deadlines,
    LogSigningKey signingKey,
    DkimCheck dkim,
    IOptions<ConsultationsOptions> options,
    IOptions<SubmissionLimits> limits,
    TimeProvider time,
    ILogger<ResponseIntake> logger)
{
    private static readonly MailMessageReader Reader = new();

    private Instant Now => Instant.FromDateTimeOffset(time.GetUtcNow());

    /// <summary>A web submission (channel WEB): published at once, or refused after the deadline.</summary>
    public async Task<V1.Receipt> SubmitAsync(V1.SubmitResponseRequest request, IdempotencyKey? key, CancellationToken cancellationToken)
    {
        var consultationId = Input.Id(request.ConsultationId, "consultation_id");
        var given = request.Respondent ?? throw DomainException.InvalidArgument("respondent is required");
        var respondent = Respondent.Create(given.Name, given.Organisation, Mapping.Category(given.Category), given.CountryCode, given.Email);
        var attachments = request.Attachments.Select(a => (a.FileName, a.MediaType, Content: a.Content.ToByteArray())).ToList();
        if (limits.Value.Check(request.Text, attachments.Select(a => (a.FileName, a.MediaType, (long)a.Content.Length)).ToList()) is { } violation)
        {
            throw DomainException.InvalidArgument(violation.Message);
        }

        // Admission before any database work, so refusing a burst costs next to nothing.
        using var admitted = await gate.EnterAsync(cancellationToken);
        var receivedAt = Now;
        var window = await deadlines.GetAsync(db, consultationId, cancellationToken);
        if (window is not { } open || !open.Accepts(receivedAt))
        {
            // A retry of a response accepted before the deadline still gets its receipt.
            if (key is not null && await IdempotencyStore.FindAsync(db, key, V1.Receipt.Parser, cancellationToken) is { } earlier)
            {
                return earlier;
            }

            throw window is null ? DomainException.NotFound($"consultation_id: no consultation {consultationId}") : window.Value.Refusal();
        }

        // The response as received: the request's own protobuf serialization (deterministic for a
        // given message), which holds the text and every attachment byte for byte.
        var response = Response.Submitted(consultationId, respondent, request.Text, attachments, request.ToByteArray(), receivedAt);

        // Stored together with the other submissions of the moment (group commit); the receipt
        // comes after the commit.
        return await writer.StoreAsync(response, key, cancellationToken) ?? throw open.Refusal();
    }

    /// <summary>An e-mail (channel EMAIL or MAILING_LIST), kept whatever it holds: published, late, unassigned or malformed.</summary>
    public async Task<V1.IngestEmailResponse> IngestAsync(V1.IngestEmailRequest request, IdempotencyKey? key, CancellationToken cancellationToken)
    {
        var channel = request.Channel switch
        {
            V1.Channel.Email => ResponseChannel.Email,
            V1.Channel.MailingList => ResponseChannel.MailingList,
            _ => throw DomainException.InvalidArgument("channel must be EMAIL or MAILING_LIST"),
        };
        if (limits.Value.CheckEmail(request.RawMessage.Length) is { } violation)
        {
            throw DomainException.InvalidArgument(violation.Message);
        }

        if (request.EnvelopeRecipient.Length > Respondent.EmailMax)
        {
            throw DomainException.InvalidArgument($"envelope_recipient is longer than {Respondent.EmailMax} characters");
        }

        using var admitted = await gate.EnterAsync(cancellationToken);
        if (key is not null && await IdempotencyStore.FindAsync(db, key, V1.IngestEmailResponse.Parser, cancellationToken) is { } earlier)
        {
            return earlier;
        }

        var raw = request.RawMessage.ToByteArray();
        var receivedAt = Now;
        var message = Reader.Read(raw);
        var codes = MailRouting.CandidateCodes(request.EnvelopeRecipient, message);
        var known = codes.Count == 0
            ? []
            : await db.Consultations.AsNoTracking().Where(c => codes.Contains(c.RoutingCode))
                .Select(c => new { c.Id, c.RoutingCode }).ToListAsync(cancellationToken);
        var consultationId = codes.Select(code => known.FirstOrDefault(k => k.RoutingCode == code)?.Id).FirstOrDefault(id => id is not null);

        var sender = await dkim.VerifyAsync(raw, message, cancellationToken);
        var response = Response.Emailed(channel, raw, message, request.EnvelopeRecipient, consultationId, receivedAt, sender);
        var answer = await StoreAsync(response, key, cancellationToken);
        if (answer is null)
        {
            // The consultation is closed or past its deadline: keep the message, marked late, unpublished.
            response.KeepAsLate();
            answer = await StoreAsync(response, key, cancellationToken)
                ?? throw new InvalidOperationException("an unpublished response is always stored");
        }

        LogIngested(response.Id, answer.Outcome.ToString(), message.Problems.Count);
        return answer;
    }

    /// <summary>
    /// The secretariat assigns an unassigned e-mail to a consultation (<see cref="Response.AssignTo"/>):
    /// in one transaction that holds the consultation against the close, the response gets its
    /// consultation and, when published, its published record, its leaf in the log and its event. With a
    /// request_id, a replay (a double click, a retry after a lost answer) gets the first outcome and changes
    /// nothing: the outcome is stored beside the change (<see cref="IdempotencyStore"/>), and a concurrent
    /// replay that lost the race to the same response answers with the winner's outcome.
    /// </summary>
    public async Task<V1.IngestEmailResponse> AssignAsync(V1.AssignResponseRequest request, IdempotencyKey? key, Actor actor, CancellationToken cancellationToken)
    {
        var responseId = Input.Id(request.ResponseId, "response_id");
        var consultationId = Input.Id(request.ConsultationId, "consultation_id");
        if (key is null)
        {
            return await AssignOnceAsync(responseId, consultationId, null, actor, cancellationToken);
        }

        if (await IdempotencyStore.FindAsync(db, key, V1.IngestEmailResponse.Parser, cancellationToken) is { } earlier)
        {
            return earlier;
        }

        try
        {
            return await AssignOnceAsync(responseId, consultationId, key, actor, cancellationToken);
        }
        catch (Exception e) when (e is DbUpdateException or DomainException { Kind: DomainErrorKind.Aborted or DomainErrorKind.FailedPrecondition })
        {
            // The same request may have got there first (the response is assigned now, or its record
            // refused this one's): then its outcome is the answer; otherwise the refusal stands.
            db.ChangeTracker.Clear();
            if (await IdempotencyStore.FindAsync(db, key, V1.IngestEmailResponse.Parser, cancellationToken) is { } first)
            {
                return first;
            }

            throw;
        }
    }

    private async Task<V1.IngestEmailResponse> AssignOnceAsync(Guid responseId, Guid consultationId, IdempotencyKey? key, Actor actor, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginAllOrNothingAsync(cancellationToken);
        var window = await LockOpenConsultationAsync(db, consultationId, cancellationToken)
            ?? await db.Consultations.AsNoTracking().Where(c => c.Id == consultationId)
                .Select(c => (ResponseWindow?)new ResponseWindow(c.State, c.ClosesAt)).FirstOrDefaultAsync(cancellationToken)
            ?? throw DomainException.NotFound($"consultation_id: no consultation {consultationId}");
        var response = await db.Responses.AsNoTracking().Include(r => r.Attachments).FirstOrDefaultAsync(r => r.Id == responseId, cancellationToken)
            ?? throw DomainException.NotFound($"response_id: no response {responseId}");
        response.AssignTo(consultationId, window);
        db.History.Add(Consultation.ResponseAssigned(consultationId, response, actor, Now));

        var receipt = Mapping.Receipt(response);
        if (response.Published)
        {
            db.AddIntegrationEvent(ConsultationEvents.Published(response), aggregateKey: null);   // unordered (ConsultationEvents)
            var proofs = await LogAppender.AppendAsync(db, [response], signingKey, Now, null, cancellationToken);
            receipt.Inclusion = proofs[response.Id];
        }

        // The one change a stored response may see: an unassigned e-mail gets its consultation, once.
        var assigned = await db.Responses.Where(r => r.Id == responseId && r.ConsultationId == null).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.ConsultationId, response.ConsultationId)
            .SetProperty(r => r.Published, response.Published)
            .SetProperty(r => r.Late, response.Late)
            .SetProperty(r => r.PublishedRecord, response.PublishedRecord)
            .SetProperty(r => r.PublishedSha256, response.PublishedSha256), cancellationToken);
        if (assigned == 0)
        {
            throw DomainException.Aborted($"response {responseId} was assigned by another request meanwhile; read it again");
        }

        if (response.LogIndex is { } index)
        {
            await LogAppender.SetLogIndexAsync(db, responseId, index, cancellationToken);
        }

        var outcome = Outcome(receipt, response);
        if (key is not null)
        {
            IdempotencyStore.Add(db, key, outcome, time);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogAssigned(responseId, consultationId, response.Published);
        return outcome;
    }

    private static V1.IngestEmailResponse Outcome(V1.Receipt receipt, Response response)
    {
        var answer = new V1.IngestEmailResponse
        {
            Receipt = receipt,
            ConsultationId = response.ConsultationId?.ToString() ?? "",
            Outcome = response.ConsultationId is null ? V1.IngestOutcome.Unassigned
                : response.Late ? V1.IngestOutcome.Late
                : response.Problems.Count > 0 ? V1.IngestOutcome.Malformed
                : V1.IngestOutcome.Published,
            DkimResult = (V1.DkimResult)response.DkimResult,
            DkimDomain = response.DkimDomain,
        };
        answer.Problems.AddRange(response.Problems);
        return answer;
    }

    /// <summary>
    /// Stores an e-mail response with a fresh tracking number and, for a published one, under the
    /// lock that serialises it against the close. Null when a published response's consultation
    /// is no longer open for it. Retries a tracking-number collision.
    /// </summary>
    private async Task<V1.IngestEmailResponse?> StoreAsync(Response response, IdempotencyKey? key, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var answer = Outcome(NumberAndReceipt(response), response);

            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginAllOrNothingAsync(cancellationToken);
            if (response.Published)
            {
                var window = await LockOpenConsultationAsync(db, response.ConsultationId!.Value, cancellationToken);
                if (window is not { } open || !open.Accepts(response.ReceivedAt))
                {
                    await transaction.RollbackAsync(cancellationToken);
                    return null;
                }

                db.AddIntegrationEvent(ConsultationEvents.Published(response), aggregateKey: null);   // unordered (ConsultationEvents)
                if (options.Value.Log.Enabled)
                {
                    var proofs = await LogAppender.AppendAsync(db, [response], signingKey, Now, null, cancellationToken);
                    answer.Receipt.Inclusion = proofs[response.Id];
                }
            }

            db.Responses.Add(response);
            if (key is not null)
            {
                IdempotencyStore.Add(db, key, answer, time);
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return answer;
            }
            catch (DbUpdateException)
            {
                await transaction.RollbackAsync(cancellationToken);
                db.ChangeTracker.Clear();
                if (key is not null && await IdempotencyStore.FindAsync(db, key, V1.IngestEmailResponse.Parser, cancellationToken) is { } first)
                {
                    return first; // the same request, retried concurrently, got there first
                }

                if (attempt >= 3)
                {
                    throw DomainException.Unavailable("the response could not be stored; retry with the same request_id", TimeSpan.FromSeconds(1));
                }
                // Otherwise a tracking-number collision (unique index): try again with a new number.
            }
        }
    }

    /// <summary>Gives the response a fresh tracking number; its receipt.</summary>
    internal static V1.Receipt NumberAndReceipt(Response response)
    {
        response.AssignTrackingNumber();
        return Mapping.Receipt(response);
    }

    /// <summary>
    /// Locks the consultation row against the close (see remarks) for the rest of the transaction;
    /// its response window when it is open, else null.
    /// </summary>
    internal static async Task<ResponseWindow?> LockOpenConsultationAsync(ConsultationsDbContext db, Guid consultationId, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            // One Npgsql command in the caller's transaction (each group commit runs it; EF Core's
            // SqlQuery pipeline cost more CPU than the statement).
            if (db.Database.CurrentTransaction is null)
            {
                throw new InvalidOperationException("the consultation is locked inside a transaction");
            }

            await using var batch = db.Database.CreateNpgsqlBatch([LockOpenConsultationCommand(consultationId)]);
            return await batch.ExecuteScalarAsync(cancellationToken) is long ticks
                ? new ResponseWindow(ConsultationState.Open, Instant.FromUnixTimeTicks(ticks))
                : null;
        }

        // SQLite: a no-op update takes the database's write lock for the transaction.
        await db.Consultations.Where(c => c.Id == consultationId && c.State == ConsultationState.Open)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.State, c => c.State), cancellationToken);
        return await db.Consultations.AsNoTracking().Where(c => c.Id == consultationId && c.State == ConsultationState.Open)
            .Select(c => (ResponseWindow?)new ResponseWindow(c.State, c.ClosesAt)).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>
    /// PostgreSQL: the statement of <see cref="LockOpenConsultationAsync"/> (one row, the deadline's
    /// ticks, when the consultation is open), for callers that send it with others in one round trip.
    /// </summary>
    internal static Npgsql.NpgsqlBatchCommand LockOpenConsultationCommand(Guid consultationId)
    {
        var command = new Npgsql.NpgsqlBatchCommand("""SELECT "ClosesAt" FROM "Consultations" WHERE "Id" = $1 AND "Status" = $2 FOR SHARE""");
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = consultationId });
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = (int)ConsultationState.Open });
        return command;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "E-mail response {ResponseId} assigned to consultation {ConsultationId} (published: {Published})")]
    private partial void LogAssigned(Guid responseId, Guid consultationId, bool published);

    [LoggerMessage(Level = LogLevel.Information, Message = "E-mail response {ResponseId} ingested: {Outcome}, {ProblemCount} problem(s)")]
    private partial void LogIngested(Guid responseId, string outcome, int problemCount);
}
