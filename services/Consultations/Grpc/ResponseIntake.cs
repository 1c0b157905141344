using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;
using Platform.Data;
using Platform.Security;
using Wsis.Consultations.Data;
using Wsis.Consultations.IntegrationEvents;
using Wsis.Consultations.Model;
using Wsis.Consultations.Model.Mail;
using Wsis.Consultations.V1;
using static Wsis.Consultations.Grpc.RpcErrors;
using Deadline = Wsis.Consultations.Model.ResponseDeadline;

namespace Wsis.Consultations.Grpc;

/// <summary>
/// Takes responses in from every channel and stores each once, as received.
/// </summary>
/// <remarks>
/// Race with the close: an on-time response is stored in one transaction that first locks the
/// consultation's row in a mode that lets submissions run side by side but not beside the close,
/// checking in the same statement that it is open and before its deadline. On PostgreSQL that is
/// <c>SELECT … FOR SHARE</c>; SQLite has one writer at a time, so there a no-op conditional
/// <c>UPDATE</c> takes the write lock. The close runs <c>UPDATE … SET Status = Closed WHERE
/// Status = Open</c> (an exclusive row lock) before it reads the published set: it waits for the
/// submissions in flight, and submissions after it see CLOSED. Either a response commits first
/// and the close counts it, or the close commits first and the response is not published (a web
/// submission is refused with FAILED_PRECONDITION, an e-mail kept as late). No published
/// response can miss the digest.
/// </remarks>
public sealed partial class ResponseIntake(
    ConsultationsDbContext db,
    IntakeGate gate,
    IntakeWriter writer,
    ConsultationDeadlines deadlines,
    IOptions<SubmissionLimits> limits,
    TimeProvider time,
    ILogger<ResponseIntake> logger)
{
    private const string Service = "consultations.v1.Consultations/";
    private static readonly MailMessageReader Reader = new();

    private Instant Now => Instant.FromDateTimeOffset(time.GetUtcNow());

    public async Task<Receipt> SubmitAsync(SubmitResponseRequest request, Caller caller, CancellationToken cancellationToken)
    {
        var consultationId = ParseId(request.ConsultationId, "consultation_id");
        var respondent = request.Respondent ?? throw Invalid("respondent is required");
        ValidateRespondent(respondent);
        var violation = limits.Value.Check(request.Text, request.Attachments.Select(a => (a.FileName, a.MediaType, (long)a.Content.Length)).ToList());
        if (violation is not null)
        {
            throw Invalid(violation.Message);
        }

        var key = Key(request.RequestId, "SubmitResponse", caller);

        // Admission before any database work, so refusing a burst costs next to nothing.
        using var admitted = await gate.EnterAsync(cancellationToken);
        var receivedAt = Now;
        var consultation = await deadlines.GetAsync(db, consultationId, cancellationToken);
        if (consultation is null || consultation.Value.Status != ConsultationStatus.Open || receivedAt >= consultation.Value.ClosesAt)
        {
            // A retry of a response accepted before the deadline still gets its receipt.
            if (key is not null && await IdempotencyStore.FindAsync(db, key, Receipt.Parser, cancellationToken) is { } earlier)
            {
                return earlier;
            }

            throw consultation is null
                ? NotFound($"consultation_id: no consultation {consultationId}")
                : DeadlinePassed(consultation.Value.ClosesAt);
        }

        // The response as received: the request's own protobuf serialization (deterministic
        // for a given message), which holds the text and every attachment byte for byte.
        var content = request.ToByteArray();
        var record = new ResponseRecord
        {
            Id = Guid.NewGuid(),
            ConsultationId = consultationId,
            Channel = ResponseChannel.Web,
            ReceivedAt = receivedAt,
            Content = content,
            Sha256 = ResponseHashes.Sha256Hex(content),
            Text = request.Text,
            RespondentName = respondent.Name.Trim(),
            RespondentOrganisation = respondent.Organisation.Trim(),
            RespondentCategory = (int)respondent.Category,
            RespondentCountryCode = respondent.CountryCode.Trim().ToUpperInvariant(),
            RespondentEmail = respondent.Email.Trim(),
            Published = true,
        };
        for (var i = 0; i < request.Attachments.Count; i++)
        {
            var a = request.Attachments[i];
            var bytes = a.Content.ToByteArray();
            record.Attachments.Add(new ResponseAttachmentRecord
            {
                ResponseId = record.Id,
                Index = i,
                FileName = a.FileName,
                MediaType = a.MediaType.Trim().ToLowerInvariant(),
                Size = bytes.Length,
                Sha256 = ResponseHashes.Sha256Hex(bytes),
                Content = bytes,
            });
        }

        // Stored together with the other submissions of the moment (group commit); the receipt
        // comes after the commit.
        var stored = await writer.StoreAsync(record, key, cancellationToken);
        return stored ?? throw DeadlinePassed(consultation.Value.ClosesAt);
    }

    public async Task<IngestEmailResponse> IngestAsync(IngestEmailRequest request, Caller caller, CancellationToken cancellationToken)
    {
        var channel = request.Channel switch
        {
            Channel.Email => ResponseChannel.Email,
            Channel.MailingList => ResponseChannel.MailingList,
            _ => throw Invalid("channel must be EMAIL or MAILING_LIST"),
        };
        var violation = limits.Value.CheckEmail(request.RawMessage.Length);
        if (violation is not null)
        {
            throw Invalid(violation.Message);
        }

        if (request.EnvelopeRecipient.Length > ConsultationsDbContext.Limits.Email)
        {
            throw Invalid($"envelope_recipient is longer than {ConsultationsDbContext.Limits.Email} characters");
        }

        var key = Key(request.RequestId, "IngestEmail", caller);
        using var admitted = await gate.EnterAsync(cancellationToken);
        if (key is not null && await IdempotencyStore.FindAsync(db, key, IngestEmailResponse.Parser, cancellationToken) is { } earlier)
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

        var sender = SenderOf(message, channel);
        var problems = message.Problems.Select(p => $"{p.Kind}: {p.Detail}").ToArray();
        if (raw.AsSpan().IndexOf((byte)0) >= 0)
        {
            problems = [.. problems, "NulCharacter: NUL bytes in the message are shown as U+FFFD in its text (the message is kept as received)"];
        }
        var record = new ResponseRecord
        {
            Id = Guid.NewGuid(),
            ConsultationId = consultationId,
            Channel = channel,
            ReceivedAt = receivedAt,
            Content = raw,
            Sha256 = ResponseHashes.Sha256Hex(raw),
            Text = Readable(message.Text),
            Subject = Truncate(Readable(message.Subject), 2000),
            RespondentName = Truncate(Readable(sender?.DisplayName ?? ""), ConsultationsDbContext.Limits.Name),
            RespondentEmail = Truncate(Readable(sender?.Address ?? ""), ConsultationsDbContext.Limits.Email),
            ProblemsJson = JsonSerializer.Serialize(problems),
            EnvelopeRecipient = request.EnvelopeRecipient,
            Published = consultationId is not null,
        };
        for (var i = 0; i < message.Attachments.Count; i++)
        {
            var a = message.Attachments[i];
            record.Attachments.Add(new ResponseAttachmentRecord
            {
                ResponseId = record.Id,
                Index = i,
                FileName = Truncate(Readable(a.FileName), ConsultationsDbContext.Limits.FileName),
                MediaType = Truncate(Readable(a.MediaType), ConsultationsDbContext.Limits.MediaType),
                Size = a.Content.Length,
                Sha256 = ResponseHashes.Sha256Hex(a.Content),
                Content = a.Content,
            });
        }

        var response = await StoreAsync(record, key, IngestEmailResponse.Parser, receipt => Outcome(receipt, record, problems), cancellationToken);
        if (response is null)
        {
            // The consultation is closed or past its deadline: keep the message, marked late, unpublished.
            record.Published = false;
            record.Late = true;
            response = await StoreAsync(record, key, IngestEmailResponse.Parser, receipt => Outcome(receipt, record, problems), cancellationToken)
                ?? throw new InvalidOperationException("an unpublished response is always stored");
        }

        LogIngested(record.Id, response.Outcome.ToString(), message.Problems.Count);
        return response;
    }

    private static IngestEmailResponse Outcome(Receipt receipt, ResponseRecord record, string[] problems)
    {
        var response = new IngestEmailResponse
        {
            Receipt = receipt,
            ConsultationId = record.ConsultationId?.ToString() ?? "",
            Outcome = record.ConsultationId is null ? IngestOutcome.Unassigned
                : record.Late ? IngestOutcome.Late
                : problems.Length > 0 ? IngestOutcome.Malformed
                : IngestOutcome.Published,
        };
        response.Problems.AddRange(problems);
        return response;
    }

    /// <summary>
    /// Stores the response with a fresh tracking number and, for a published one, the counter
    /// update that serialises it against the close. Returns null when a published response's
    /// consultation is no longer open for it. Retries a tracking-number collision.
    /// </summary>
    private async Task<TResult?> StoreAsync<TResult>(ResponseRecord record, IdempotencyKey? key, MessageParser<TResult> parser,
        Func<Receipt, TResult> result, CancellationToken cancellationToken)
        where TResult : class, IMessage<TResult>
    {
        for (var attempt = 1; ; attempt++)
        {
            var answer = result(NumberAndReceipt(record));

            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginAllOrNothingAsync(cancellationToken);
            if (record.Published)
            {
                var closesAt = await LockOpenConsultationAsync(db, record.ConsultationId!.Value, cancellationToken);
                if (closesAt is null || record.ReceivedAt >= closesAt.Value)
                {
                    await transaction.RollbackAsync(cancellationToken);
                    return null;
                }

                IntegrationEventOutbox.AddResponsePublished(db, ConsultationEvents.Published(record, record.ReceivedAt));
            }

            db.Responses.Add(record);
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
                if (key is not null && await IdempotencyStore.FindAsync(db, key, parser, cancellationToken) is { } first)
                {
                    return first; // the same request, retried concurrently, got there first
                }

                if (attempt >= 3)
                {
                    throw Unavailable("the response could not be stored; retry with the same request_id");
                }
                // Otherwise a tracking-number collision (unique index): try again with a new number.
            }
        }
    }

    /// <summary>Gives the response a fresh tracking number; its receipt.</summary>
    internal static Receipt NumberAndReceipt(ResponseRecord record)
    {
        record.TrackingNumber = TrackingNumber.New(record.ReceivedAt.InUtc().Year).Value;
        return new Receipt
        {
            ResponseId = record.Id.ToString(),
            TrackingNumber = record.TrackingNumber,
            ReceivedAt = Timestamp.FromDateTimeOffset(record.ReceivedAt.ToDateTimeOffset()),
            Sha256 = record.Sha256,
        };
    }

    /// <summary>
    /// Locks the consultation row against the close (see remarks) for the rest of the transaction;
    /// its deadline when it is open, else null.
    /// </summary>
    internal static async Task<Instant?> LockOpenConsultationAsync(ConsultationsDbContext db, Guid consultationId, CancellationToken cancellationToken)
    {
        var open = (int)ConsultationStatus.Open;
        if (db.Database.IsNpgsql())
        {
            // One Npgsql command in the caller's transaction (each group commit runs it; EF Core's
            // SqlQuery pipeline cost more CPU than the statement).
            if (db.Database.CurrentTransaction is null)
            {
                throw new InvalidOperationException("the consultation is locked inside a transaction");
            }

            await using var command = db.Database.CreateNpgsqlCommand(
                """SELECT "ClosesAt" FROM "Consultations" WHERE "Id" = $1 AND "Status" = $2 FOR SHARE""");
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = consultationId });
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = open });
            return await command.ExecuteScalarAsync(cancellationToken) is long ticks ? Instant.FromUnixTimeTicks(ticks) : null;
        }

        // SQLite: a no-op update takes the database's write lock for the transaction.
        await db.Consultations.Where(c => c.Id == consultationId && c.Status == ConsultationStatus.Open)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, c => c.Status), cancellationToken);
        return await db.Consultations.AsNoTracking().Where(c => c.Id == consultationId && c.Status == ConsultationStatus.Open)
            .Select(c => (Instant?)c.ClosesAt).FirstOrDefaultAsync(cancellationToken);
    }

    private static MailboxAddress? SenderOf(ReadMessage message, ResponseChannel channel)
    {
        // Mailing lists rewrite From to the list's address ("Name via List <list@…>") to pass
        // DMARC and keep the author in Reply-To or X-Original-From.
        if (channel == ResponseChannel.MailingList && message.From?.DisplayName?.Contains(" via ", StringComparison.OrdinalIgnoreCase) == true)
        {
            var original = MailAddresses.ParseList(message.Header("X-Original-From"), null).FirstOrDefault() ?? message.ReplyTo.FirstOrDefault();
            if (original is not null)
            {
                return original;
            }
        }

        return message.From;
    }

    private static void ValidateRespondent(Respondent respondent)
    {
        Required(respondent.Name, "respondent.name", ConsultationsDbContext.Limits.Name);
        if (respondent.Organisation.Length > ConsultationsDbContext.Limits.Organisation)
        {
            throw Invalid($"respondent.organisation is longer than {ConsultationsDbContext.Limits.Organisation} characters");
        }

        if (respondent.Category == RespondentCategory.Unspecified || !System.Enum.IsDefined(respondent.Category))
        {
            throw Invalid("respondent.category is required: GOVERNMENT, PRIVATE_SECTOR, CIVIL_SOCIETY, INTERGOVERNMENTAL_ORGANIZATION, INTERNATIONAL_ORGANIZATION, ACADEMIC_AND_TECHNICAL or INDIVIDUAL");
        }

        var country = respondent.CountryCode.Trim();
        if (country.Length != 0 && (country.Length != 2 || !country.All(char.IsAsciiLetter)))
        {
            throw Invalid("respondent.country_code must be an ISO 3166-1 alpha-2 code (two letters) or empty");
        }

        var email = respondent.Email.Trim();
        if (email.Length > ConsultationsDbContext.Limits.Email || email.Length > 0 && (email.IndexOf('@') is <= 0 || email.EndsWith('@') || email.Any(char.IsWhiteSpace)))
        {
            // The message does not repeat the address: it is personal data.
            throw Invalid("respondent.email is not an e-mail address");
        }
    }

    private static global::Grpc.Core.RpcException DeadlinePassed(Instant closesAt) =>
        Precondition($"the response deadline has passed: responses were accepted until the {Deadline.DescribeClosing(closesAt)}");

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

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];

    // PostgreSQL text cannot hold U+0000, so a message with NUL bytes could never be stored (retried
    // until refused). The raw message keeps them; the text read from it shows U+FFFD instead.
    private static string Readable(string s) => s.Contains('\0', StringComparison.Ordinal) ? s.Replace('\0', '\uFFFD') : s;

    [LoggerMessage(Level = LogLevel.Information, Message = "E-mail response {ResponseId} ingested: {Outcome}, {ProblemCount} problem(s)")]
    private partial void LogIngested(Guid responseId, string outcome, int problemCount);
}

