using Microsoft.Extensions.Logging;

namespace Platform.Messaging;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "Outbox of {Endpoint}: publishing message {MessageId} (row {Sequence}, attempt {Attempt}) failed: {Reason}; next attempt in {Backoff}")]
    public static partial void PublishFailed(ILogger logger, string endpoint, Guid messageId, long sequence, int attempt, string reason, TimeSpan backoff);

    [LoggerMessage(2, LogLevel.Warning, "Outbox of {Endpoint}: dispatch round failed ({Reason}); retrying in {Backoff}")]
    public static partial void DispatchRoundFailed(ILogger logger, string endpoint, string reason, TimeSpan backoff);

    [LoggerMessage(3, LogLevel.Debug, "Inbox of {Endpoint}: message {MessageId} already applied by {Consumer}; ignored")]
    public static partial void DuplicateIgnored(ILogger logger, string endpoint, Guid messageId, string consumer);

    [LoggerMessage(4, LogLevel.Information, "Messaging of {Endpoint}: pruned {Outbox} sent outbox rows and {Inbox} inbox rows")]
    public static partial void Pruned(ILogger logger, string endpoint, int outbox, int inbox);

    [LoggerMessage(5, LogLevel.Warning, "Messaging of {Endpoint}: pruning failed ({Reason})")]
    public static partial void PruneFailed(ILogger logger, string endpoint, string reason);

    [LoggerMessage(6, LogLevel.Information, "Messaging: {Transport} transport; endpoints {Endpoints}")]
    public static partial void TransportChosen(ILogger logger, string transport, string endpoints);

    [LoggerMessage(7, LogLevel.Warning, "Inbox of {Endpoint}: handling message {MessageId} by {Consumer} failed (attempt {Attempt}): {Reason}")]
    public static partial void HandlerFailed(ILogger logger, string endpoint, Guid messageId, string consumer, int attempt, string reason);

    [LoggerMessage(8, LogLevel.Warning, "Receive endpoint {Endpoint} has not been consuming for {Seconds:0} s while the broker accepts connections; restarting {What} (restart {Restart})")]
    public static partial void ReceiveEndpointRestarting(ILogger logger, string endpoint, double seconds, string what, int restart);

    [LoggerMessage(9, LogLevel.Warning, "Receive endpoint {Endpoint}: restart failed ({Reason}); trying again later")]
    public static partial void ReceiveEndpointRestartFailed(ILogger logger, string endpoint, string reason);
}
