using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Net.Client;
using Wsis.Consultations.V1;

namespace FaultTolerance.Tests;

/// <summary>
/// A sustained intake through the public gRPC API: K concurrent clients, each submitting one
/// response after another to consultations.v1 SubmitResponse, each with a unique request_id,
/// spread over the Consultations instances. As a real client does, a client that gets
/// UNAVAILABLE, DEADLINE_EXCEEDED, a broken connection or an internal error retries the SAME
/// request (same request_id), on the next instance. A submission is accepted when it got a Receipt.
/// </summary>
public sealed class SustainedIntake
{
    private static readonly StatusCode[] Final =
    [
        StatusCode.InvalidArgument, StatusCode.NotFound, StatusCode.FailedPrecondition, StatusCode.PermissionDenied,
        StatusCode.Unauthenticated, StatusCode.AlreadyExists, StatusCode.OutOfRange, StatusCode.Unimplemented,
    ];

    private readonly IReadOnlyList<GrpcChannel> _instances;
    private readonly string _consultationId;
    private readonly string _tag;
    private readonly CancellationTokenSource _stopSubmitting = new();
    private readonly ConcurrentDictionary<string, Receipt> _accepted = new();
    private readonly ConcurrentDictionary<string, int> _attempts = new();
    private readonly ConcurrentDictionary<string, StatusCode> _refused = new();
    private readonly ConcurrentDictionary<StatusCode, int> _retryCodes = new();
    private readonly ConcurrentDictionary<StatusCode, string> _retryDetails = new();
    private readonly ConcurrentBag<string> _abandoned = [];
    private Task _clients = Task.CompletedTask;
    private long _giveUpAtTicks = DateTime.MaxValue.Ticks;
    private int _retries;
    private int _retriesAnsweredWithEarlierReceipt;

    public SustainedIntake(IReadOnlyList<GrpcChannel> instances, string consultationId, string tag)
    {
        _instances = instances;
        _consultationId = consultationId;
        _tag = tag;
    }

    /// <summary>Accepted submissions: request_id → the receipt the client got.</summary>
    public IReadOnlyDictionary<string, Receipt> Accepted => _accepted;

    /// <summary>Every request_id a client sent (accepted or not).</summary>
    public IReadOnlyCollection<string> Submitted => (IReadOnlyCollection<string>)_attempts.Keys;

    /// <summary>Requests refused with a final status (never expected here): request_id → status.</summary>
    public IReadOnlyDictionary<string, StatusCode> Refused => _refused;

    /// <summary>Requests still failing when the clients gave up (never expected here).</summary>
    public IReadOnlyCollection<string> Abandoned => _abandoned;

    /// <summary>Requests that needed more than one attempt.</summary>
    public IEnumerable<string> Retried => _attempts.Where(a => a.Value > 1).Select(a => a.Key);

    public int Retries => _retries;

    /// <summary>
    /// Retries whose answer was the receipt of an earlier attempt (its received_at precedes the
    /// retry): the earlier attempt had been stored, and the retry was answered from the
    /// idempotency record instead of storing the response a second time.
    /// </summary>
    public int RetriesAnsweredWithEarlierReceipt => _retriesAnsweredWithEarlierReceipt;

    /// <summary>The statuses that made clients retry, how often, and the first detail of each.</summary>
    /// <summary>The statuses that made clients retry.</summary>
    public IReadOnlyCollection<StatusCode> RetryCodeSet => _retryCodes.Keys.ToList();

    public string RetryCodes => _retryCodes.IsEmpty
        ? "none"
        : string.Join(", ", _retryCodes.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}: \"{_retryDetails.GetValueOrDefault(c.Key)}\""));

    /// <summary>Starts <paramref name="clients"/> clients; they submit until <see cref="StopAsync"/>.</summary>
    public void Start(int clients)
    {
        _clients = Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(() => ClientAsync(c))));
    }

    /// <summary>Stops new submissions and waits for those in flight to be accepted (retrying for at most <paramref name="patience"/>).</summary>
    public async Task StopAsync(TimeSpan patience)
    {
        Interlocked.Exchange(ref _giveUpAtTicks, (DateTime.UtcNow + patience).Ticks);
        await _stopSubmitting.CancelAsync();
        await _clients;
    }

    /// <summary>
    /// Sends every given accepted request again, unchanged (a client that never saw its answer, or a
    /// user pressing the button twice), and returns the request_ids whose answer was not the first receipt.
    /// </summary>
    public async Task<IReadOnlyList<string>> ResubmitAsync(IEnumerable<string> requestIds, int concurrency)
    {
        var mismatches = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(requestIds, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (requestId, _) =>
        {
            var client = new Consultations.ConsultationsClient(_instances[Math.Abs(requestId.GetHashCode()) % _instances.Count]);
            var receipt = await client.SubmitResponseAsync(Request(requestId), deadline: DateTime.UtcNow.AddSeconds(30));
            if (!receipt.Equals(_accepted[requestId]))
            {
                mismatches.Add(requestId);
            }
        });
        return [.. mismatches];
    }

    /// <summary>The submission for <paramref name="requestId"/>: the respondent's name is the request_id, so stored rows can be traced back.</summary>
    public SubmitResponseRequest Request(string requestId) => new()
    {
        ConsultationId = _consultationId,
        RequestId = requestId,
        Respondent = new Respondent { Name = requestId, Category = RespondentCategory.CivilSociety, CountryCode = "KE" },
        Text = "Keep the Internet open, interoperable and affordable; publish this response unedited. Reference " + requestId + ".",
    };

    private async Task ClientAsync(int client)
    {
        var instance = client % _instances.Count;
        for (var i = 0; !_stopSubmitting.IsCancellationRequested; i++)
        {
            var requestId = $"{_tag}-{client}-{i}";
            var request = Request(requestId);
            while (true)
            {
                var attempt = _attempts.AddOrUpdate(requestId, 1, (_, n) => n + 1);
                var sentAt = DateTime.UtcNow;
                StatusCode code;
                try
                {
                    var receipt = await new Consultations.ConsultationsClient(_instances[instance])
                        .SubmitResponseAsync(request, deadline: DateTime.UtcNow.AddSeconds(15));
                    _accepted[requestId] = receipt;
                    if (attempt > 1 && receipt.ReceivedAt.ToDateTime() < sentAt)
                    {
                        Interlocked.Increment(ref _retriesAnsweredWithEarlierReceipt);
                    }

                    break;
                }
                catch (RpcException e) when (Array.IndexOf(Final, e.StatusCode) >= 0)
                {
                    _refused[requestId] = e.StatusCode;
                    break;
                }
                catch (RpcException e)
                {
                    code = e.StatusCode;
                    _retryDetails.TryAdd(code, e.Status.Detail);
                }
                catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
                {
                    code = StatusCode.Unavailable;
                    _retryDetails.TryAdd(code, e.GetType().Name);
                }

                Interlocked.Increment(ref _retries);
                _retryCodes.AddOrUpdate(code, 1, (_, n) => n + 1);
                if (DateTime.UtcNow.Ticks > Interlocked.Read(ref _giveUpAtTicks))
                {
                    _abandoned.Add(requestId);
                    break;
                }

                // Fail over to the next instance and back off a little, as a client library would.
                instance = (instance + 1) % _instances.Count;
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 100 * attempt)));
            }
        }
    }
}
