using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Wsis.Consultations.V1;
using ConsultationsClient = Wsis.Consultations.V1.Consultations.ConsultationsClient;

namespace Wsis.Cluster.Bench;

/// <summary>One submission the benchmark made: its request_id, the receipt it got, and when it
/// started, was accepted and was first seen in Reporting's read model (Stopwatch timestamps).</summary>
public sealed class Submitted(string requestId, string phase)
{
    public string RequestId { get; } = requestId;
    public string Phase { get; } = phase;
    public long Started { get; set; }
    public long Accepted { get; set; }
    public long Visible { get; set; }
    public Receipt? Receipt { get; set; }
    public int Attempts { get; set; }

    public double AcceptedMs => Stopwatch.GetElapsedTime(Started, Accepted).TotalMilliseconds;
    public double VisibleMs => Stopwatch.GetElapsedTime(Started, Visible).TotalMilliseconds;
}

/// <summary>Statuses a submission was answered with before it was accepted.</summary>
public sealed class Refusals
{
    private readonly ConcurrentDictionary<StatusCode, long> _counts = new();

    private readonly ConcurrentDictionary<StatusCode, string> _samples = new();

    public void Add(RpcException e)
    {
        _counts.AddOrUpdate(e.StatusCode, 1, (_, n) => n + 1);
        _samples.TryAdd(e.StatusCode, e.Status.Detail);
    }

    /// <summary>The first detail message seen for each status that is not a plain refusal.</summary>
    public string Samples() => string.Join("; ", _samples.Where(s => !Retryable(s.Key)).OrderBy(s => s.Key).Select(s => $"{s.Key}: \"{s.Value}\""));

    public long Count(StatusCode code) => _counts.GetValueOrDefault(code);

    /// <summary>UNAVAILABLE (the intake gate, with retry-after-ms) and RESOURCE_EXHAUSTED (rate
    /// limit, HTTP/2 stream refusals) mean "nothing stored, retry"; anything else is not a refusal
    /// the issue allows.</summary>
    public static bool Retryable(StatusCode code) => code is StatusCode.Unavailable or StatusCode.ResourceExhausted;

    public long NotRetryable => _counts.Where(c => !Retryable(c.Key)).Sum(c => c.Value);

    public string Describe() => _counts.IsEmpty ? "none"
        : string.Join(", ", _counts.OrderBy(c => c.Key).Select(c => $"{c.Key}: {c.Value}"));
}

/// <summary>Submissions as a partner makes them: every call carries a request_id; a refused call
/// is retried with the same request_id after the retry-after-ms the service asked for.</summary>
public sealed class Intake(string consultationId, Metadata partner)
{
    // About 1 KB of text, varied per submission, like the in-process benchmark's letters.
    private const string Letter = "I write to ask the Council Working Group to keep the Internet open, interoperable and affordable. " +
        "International connectivity costs keep developing countries offline; regional exchange points, open access to submarine " +
        "cable landing stations and transparent transit pricing would help. Multilingual content and local hosting matter as much " +
        "as bandwidth. Please consider this response at your next meeting and publish it unedited, as Resolution 1344 provides. ";

    public SubmitResponseRequest Request(string requestId) => new()
    {
        ConsultationId = consultationId,
        RequestId = requestId,
        Respondent = new Respondent { Name = "Respondent " + requestId, Category = RespondentCategory.Individual, CountryCode = "US", Email = requestId + "@example.org" },
        Text = Letter + Letter + " Reference " + requestId + ".",
    };

    /// <summary>One attempt; null when accepted, else the status (counted in refusals).</summary>
    public async Task<RpcException?> TryOnceAsync(ConsultationsClient client, Submitted s, Refusals refusals)
    {
        s.Attempts++;
        try
        {
            s.Receipt = await client.SubmitResponseAsync(Request(s.RequestId), partner);
            s.Accepted = Stopwatch.GetTimestamp();
            return null;
        }
        catch (RpcException e)
        {
            refusals.Add(e);
            return e;
        }
    }

    /// <summary>Until accepted (or <paramref name="giveUpAfter"/>), honouring retry-after-ms.</summary>
    public async Task<bool> SubmitUntilAcceptedAsync(ConsultationsClient client, Submitted s, Refusals refusals, TimeSpan giveUpAfter)
    {
        var since = Stopwatch.GetTimestamp();
        while (true)
        {
            var refused = await TryOnceAsync(client, s, refusals);
            if (refused is null)
            {
                return true;
            }
            if (Stopwatch.GetElapsedTime(since) > giveUpAfter)
            {
                return false;
            }
            await Task.Delay(RetryAfter(refused));
        }
    }

    public static TimeSpan RetryAfter(RpcException e)
    {
        var asked = e.Trailers.GetValue("retry-after-ms");
        var ms = asked is not null && int.TryParse(asked, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 50;
        return TimeSpan.FromMilliseconds(Math.Clamp(ms, 10, 2000));
    }
}
