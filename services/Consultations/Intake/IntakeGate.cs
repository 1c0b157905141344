using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Wsis.Consultations.Intake;

/// <summary>
/// Admission control for response intake: a bounded number of responses are stored at once and
/// a bounded queue waits; a submission beyond both is refused immediately with UNAVAILABLE
/// ("retry"), a status gRPC clients treat as retryable, with the wait in the <c>retry-after-ms</c>
/// and <c>grpc-retry-pushback-ms</c> trailers (the error interceptor adds them).
/// A burst (a campaign's deadline rush) thus gets fast answers, and every accepted response is
/// durable before its receipt is sent.
/// </summary>
public sealed partial class IntakeGate : IDisposable
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromMilliseconds(500);
    private readonly ConcurrencyLimiter _limiter;
    private readonly ILogger<IntakeGate> _logger;
    private long _refused;

    public IntakeGate(IOptions<ConsultationsOptions> options, ILogger<IntakeGate> logger)
    {
        var intake = options.Value.Intake;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = Math.Max(1, intake.MaxConcurrent),
            QueueLimit = Math.Max(0, intake.MaxQueue),
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        _logger = logger;
    }

    public async Task<RateLimitLease> EnterAsync(CancellationToken cancellationToken)
    {
        var lease = await _limiter.AcquireAsync(1, cancellationToken);
        if (lease.IsAcquired)
        {
            return lease;
        }

        lease.Dispose();
        var refused = Interlocked.Increment(ref _refused);
        if (refused % 1000 == 1)
        {
            LogRefusing(refused);
        }

        throw DomainException.Unavailable(
            $"response intake is at capacity; nothing was stored: retry in {RetryAfter.TotalMilliseconds:0} ms with the same request_id", RetryAfter);
    }

    public void Dispose() => _limiter.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Response intake at capacity: {Refused} submission(s) told to retry so far")]
    private partial void LogRefusing(long refused);
}
