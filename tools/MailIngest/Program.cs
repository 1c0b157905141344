using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Wsis.Consultations.V1;
using Wsis.Contracts.Clients;
using Wsis.Tools.MailIngest;

// Exit codes follow sysexits.h, which Postfix's pipe(8) understands: 0 delivered; 75
// (EX_TEMPFAIL) the message stays queued and is retried (service down, timeout, bad token:
// nothing is lost while an operator fixes it); 65 (EX_DATAERR) the service refused the message
// itself (too large, empty) and Postfix bounces it to the sender; 64 (EX_USAGE) bad arguments.
const int Delivered = 0, Usage = 64, DataError = 65, TemporaryFailure = 75;

IngestSettings settings;
try
{
    settings = IngestSettings.Parse(args, Environment.GetEnvironmentVariable);
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync($"wsis-mail-ingest: {e.Message}\n{IngestSettings.Usage}");
    return Usage;
}

byte[] raw;
await using (var stdin = Console.OpenStandardInput())
using (var buffer = new MemoryStream())
{
    await stdin.CopyToAsync(buffer);
    raw = buffer.ToArray();
}

// The same message delivered twice (Postfix retries after a lost answer, or the SMTP door got it
// too) must be stored once: its SHA-256 and the recipient make the idempotency key.
var request = new IngestEmailRequest
{
    RawMessage = ByteString.CopyFrom(raw),
    Channel = settings.Channel,
    EnvelopeRecipient = settings.Recipient,
    RequestId = MailDelivery.RequestId(raw, settings.Recipient),
};

// UNAVAILABLE (the service restarting, its database away) is retried a few times at once; the
// request_id makes a repeat safe. Beyond that Postfix keeps the message queued.
using var channel = ServiceChannels.ForAddress(settings.Address, new GrpcChannelOptions { MaxSendMessageSize = 64 * 1024 * 1024 });
var client = new Consultations.ConsultationsClient(channel);
try
{
    var headers = new Metadata { { "authorization", "Bearer " + settings.Token } };
    var response = await client.IngestEmailAsync(request, headers, deadline: DateTime.UtcNow.Add(settings.Timeout));
    // Postfix logs standard output on success; a tracking number and outcome, no addresses.
    var outcome = ConsultationsReflection.Descriptor.EnumTypes.Single(e => e.Name == nameof(IngestOutcome))
        .FindValueByNumber((int)response.Outcome)?.Name ?? response.Outcome.ToString();
    Console.WriteLine($"{outcome} {response.Receipt.TrackingNumber} sha256={response.Receipt.Sha256}");
    return Delivered;
}
catch (RpcException e) when (e.StatusCode is StatusCode.InvalidArgument)
{
    await Console.Error.WriteLineAsync($"wsis-mail-ingest: message refused: {e.Status.Detail}");
    return DataError;
}
catch (RpcException e)
{
    await Console.Error.WriteLineAsync($"wsis-mail-ingest: {e.StatusCode}: {e.Status.Detail}; the message stays queued");
    return TemporaryFailure;
}
catch (HttpRequestException e)
{
    await Console.Error.WriteLineAsync($"wsis-mail-ingest: the service at {settings.Address} is unreachable ({e.Message}); the message stays queued");
    return TemporaryFailure;
}
