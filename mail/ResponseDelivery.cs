using System.Buffers;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Options;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;
using Wsis.Consultations.V1;
using Wsis.Contracts.Clients;

namespace Wsis.Mail;

/// <summary>
/// Hands each message, byte for byte as received, to Consultations' IngestEmail — once per accepted
/// recipient — and says 250 only when the service has stored it. So a message the door accepted is
/// in the database before the sender hears so, and the door or the service may restart right after
/// 250 without losing it. When the service cannot store it now the sender is told 451 and retries;
/// when the service refuses the message itself (too large, empty) the sender is told 554.
/// </summary>
public sealed partial class ResponseDelivery(
    Wsis.Consultations.V1.Consultations.ConsultationsClient consultations, Mailboxes mailboxes, IMailDoorToken token, IOptions<MailDoorOptions> options, ILogger<ResponseDelivery> logger)
    : MessageStore
{
    public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        // SmtpServer hands over the data without the CRLF before the final ".": by RFC 5321 (4.1.1.4)
        // that CRLF ends the message's last line, so it is part of the message as the sender wrote it.
        var raw = new byte[buffer.Length + 2];
        buffer.CopyTo(raw);
        raw[^2] = (byte)'\r';
        raw[^1] = (byte)'\n';
        var recipients = transaction.To.Select(m => $"{m.User}@{m.Host}").Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var tracking = new List<string>();
        foreach (var recipient in recipients)
        {
            if (mailboxes.ChannelFor(recipient) is not { } channel)
            {
                continue;
            }

            var request = new IngestEmailRequest
            {
                RawMessage = ByteString.CopyFrom(raw),
                Channel = channel,
                EnvelopeRecipient = recipient,
                RequestId = MailDelivery.RequestId(raw, recipient),
            };
            try
            {
                var reply = await consultations.IngestEmailAsync(request, Bearer(), deadline: DateTime.UtcNow.Add(options.Value.DeliveryTimeout), cancellationToken: cancellationToken);
                tracking.Add(reply.Receipt.TrackingNumber);
                LogStored(logger, reply.Receipt.TrackingNumber, reply.Outcome.ToString(), raw.Length);
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.InvalidArgument)
            {
                LogRefused(logger, e.Status.Detail);
                return new SmtpResponse(SmtpReplyCode.TransactionFailed, $"5.6.0 message refused: {e.Status.Detail}");
            }
            catch (Exception e) when (e is RpcException or HttpRequestException or IOException)
            {
                LogDeferred(logger, e is RpcException rpc ? rpc.StatusCode.ToString() : e.GetType().Name);
                return new SmtpResponse(SmtpReplyCode.Aborted, "4.3.0 the response could not be stored just now; please try again later");
            }
        }

        return new SmtpResponse(SmtpReplyCode.Ok, tracking.Count == 0 ? "2.0.0 ok" : $"2.0.0 stored as {string.Join(", ", tracking)}");
    }

    private Metadata Bearer() => new() { { "authorization", "Bearer " + token.Current() } };

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Stored {TrackingNumber} ({Outcome}, {Bytes} bytes)")]
    private static partial void LogStored(ILogger logger, string trackingNumber, string outcome, int bytes);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Message refused by the service: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Message deferred (451): the service answered {Failure}")]
    private static partial void LogDeferred(ILogger logger, string failure);
}

/// <summary>Refuses at RCPT every recipient the door does not take mail for (550), so it relays nothing.</summary>
public sealed class RecipientFilter(Mailboxes mailboxes) : MailboxFilter
{
    public override Task<bool> CanDeliverToAsync(ISessionContext context, SmtpServer.Mail.IMailbox to, SmtpServer.Mail.IMailbox from, CancellationToken cancellationToken) =>
        Task.FromResult(mailboxes.ChannelFor($"{to.User}@{to.Host}") is not null);
}

/// <summary>The bearer token the door presents to IngestEmail (role secretariat).</summary>
public interface IMailDoorToken
{
    string Current();
}

/// <summary><c>MailDoor:TokenFile</c> (read at each delivery, so it can be rotated without a restart), else <c>MailDoor:Token</c>.</summary>
public sealed class ConfiguredMailDoorToken(IOptions<MailDoorOptions> options) : IMailDoorToken
{
    public string Current() =>
        options.Value.TokenFile is { Length: > 0 } file ? File.ReadAllText(file).Trim() : options.Value.Token;
}
