namespace Platform.Messaging;

/// <summary>Settings of one service's outbox, inbox and endpoint (configuration section <c>Messaging</c>).</summary>
public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    /// <summary>The service's queue; every handler of the service consumes from it. Default: the DbContext name without "DbContext", lower case.</summary>
    public string? Endpoint { get; set; }

    /// <summary>Outbox rows claimed per dispatch round.</summary>
    public int DispatchBatchSize { get; set; } = 100;

    /// <summary>How often the dispatcher looks for rows committed by other processes; commits in this process wake it at once.</summary>
    public TimeSpan DispatchPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one publish may wait for the broker's confirm before it counts as failed.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest back-off between attempts to publish a row that failed.</summary>
    public TimeSpan MaxPublishBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries of a failing handler before the message goes to the error queue.</summary>
    public int ConsumerRetryLimit { get; set; } = 5;

    public TimeSpan ConsumerRetryMinBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan ConsumerRetryMaxBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A handler failing because its database is unreachable (a transient database error, a
    /// timeout, a refused connection) is tried again up to this many times, <see cref="ConsumerOutageRetryInterval"/>
    /// apart, before the failure counts as one of the <see cref="ConsumerRetryLimit"/> retries that
    /// end in the error queue: a database restart or an outage of minutes loses no event.
    /// Default 60 times, 5 s apart (5 minutes per ordinary attempt).
    /// </summary>
    public int ConsumerOutageRetryLimit { get; set; } = 60;

    public TimeSpan ConsumerOutageRetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Messages handled at the same time by this service's endpoint (prefetch is twice that). The
    /// messages being handled at one moment are applied together (see <see cref="InboxMaxBatch"/>),
    /// so this bounds the size of those batches too.
    /// </summary>
    public int ConcurrentMessageLimit { get; set; } = 128;

    /// <summary>Transactions applying inbox batches at the same time (one batch's commit overlaps the next one's work).</summary>
    public int InboxWriters { get; set; } = 2;

    /// <summary>Most messages applied in one inbox transaction.</summary>
    public int InboxMaxBatch { get; set; } = 128;

    /// <summary>Sent outbox rows are deleted after this long.</summary>
    public TimeSpan SentRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Inbox rows are deleted after this long; it must exceed the longest time a duplicate may still arrive.</summary>
    public TimeSpan InboxRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often pruning runs; the first run comes 30 seconds after start (or after this interval, if shorter).</summary>
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Most rows one pruning statement deletes; a run repeats statements until the expired rows are gone.</summary>
    public int PruneChunkSize { get; set; } = 5000;

    /// <summary>Host start waits for the bus (and so for the queue bindings); off by default so a service starts while the broker is down.</summary>
    public bool WaitUntilBusStarted { get; set; }

    /// <summary>
    /// RabbitMQ only: a receive endpoint that has not been consuming for this long while the broker
    /// accepts connections is stopped and started again (<see cref="ReceiveEndpointWatchdog"/>).
    /// MassTransit's own reconnection waits up to 30 s between attempts and, after an error outside
    /// its retry filter, gives up for good. Zero turns the watchdog off. Default 15 s.
    /// </summary>
    public TimeSpan ReceiveEndpointRecoverAfter { get; set; } = TimeSpan.FromSeconds(15);
}
