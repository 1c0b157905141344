using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using Npgsql;
using Wsis.Cluster.Bench;
using Wsis.Consultations.V1;
using static Wsis.Cluster.Bench.BenchReport;

// The cluster benchmark (bench/cluster/run.sh starts the cluster and runs this): submission
// intake through the gateway and directly against the Consultations instances, side by side;
// a burst; public page reads; memory and CPU of every process. See README.md.
var o = Options.Parse(args);
var cpuModel = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
var memGiB = double.Parse(File.ReadLines("/proc/meminfo").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024 / 1024;
var machine = $"{Environment.ProcessorCount} cores, {cpuModel}, {memGiB:F0} GiB, .NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
var report = new BenchReport("Cluster: intake, burst, page reads, memory (PostgreSQL, RabbitMQ, 2 × Consultations, gateway)", machine);
Console.WriteLine($"machine: {machine}");
var loadAtStart = File.ReadAllText("/proc/loadavg").Trim();
Console.WriteLine($"load: {o.Seconds} s sustained per path, {o.Clients} clients, burst {o.Burst:N0} in {o.BurstWindowMs} ms, page reads {o.ReadSeconds} s each");

static Metadata Bearer(string variable) =>
    new() { { "authorization", "Bearer " + (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } t ? t : throw new InvalidOperationException($"{variable} is not set (a token from scripts/cluster.sh token)")) } };
var secretariat = Bearer("BENCH_TOKEN_SECRETARIAT");
var memberState = Bearer("BENCH_TOKEN_MEMBER_STATE");
var partner = Bearer("BENCH_TOKEN_PARTNER");

GrpcChannel Channel(string address) => GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true } });
using var gatewayChannel = Channel(o.GatewayGrpc);
var viaGateway = new Consultations.ConsultationsClient(gatewayChannel);
var directChannels = o.Consultations.Select(Channel).ToList();
var direct = directChannels.Select(c => new Consultations.ConsultationsClient(c)).ToArray();

// The consultation, opened through the gateway as a partner would.
var meeting = await viaGateway.ScheduleGroupMeetingAsync(new ScheduleGroupMeetingRequest
{
    StartsOn = DateTime.UtcNow.AddMonths(3).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    Venue = "Geneva",
}, secretariat);
var consultation = await viaGateway.OpenConsultationAsync(new OpenConsultationRequest { MeetingId = meeting.Id, Title = "Cluster benchmark", IssueText = "Intake benchmark on the cluster" }, memberState);
Console.WriteLine($"consultation {consultation.Id} opened through the gateway");
const int SmallConsultationSize = 100;
// A second consultation with 100 responses: its pages are read side by side with the large one's
// (3.), so that a page's cost can be seen not to grow with the number of responses.
var small = await viaGateway.OpenConsultationAsync(new OpenConsultationRequest { MeetingId = meeting.Id, Title = "Cluster benchmark, 100 responses", IssueText = "The same pages over 100 responses" }, memberState);
var smallIntake = new Intake(small.Id, partner);
for (var i = 0; i < SmallConsultationSize; i++)
{
    if (!await smallIntake.SubmitUntilAcceptedAsync(direct[i % direct.Length], new Submitted($"small-{i}", "small"), new Refusals(), TimeSpan.FromMinutes(2)))
    {
        throw new InvalidOperationException("a response to the small consultation was not accepted");
    }
}

var intake = new Intake(consultation.Id, partner);
var everything = new ConcurrentBag<Submitted>();
var processes = new ClusterProcesses(o.State);
await using var watch = new ReadModelWatch(o.Postgres + ";Database=reporting;Maximum Pool Size=8", consultation.Id);
var callGiveUp = TimeSpan.FromMinutes(2);
await using var consultationsDb = NpgsqlDataSource.Create(o.Postgres + ";Database=consultations;Maximum Pool Size=4");
// Events stored with a response but not yet published to RabbitMQ (Consultations' outbox).
async Task<long> UnsentOutboxAsync()
{
    await using var command = consultationsDb.CreateCommand("""SELECT count(*) FROM "OutboxMessages" WHERE "SentAt" IS NULL""");
    return (long)(await command.ExecuteScalarAsync())!;
}

// Warm-up on both paths, not measured: connection pools, query plans, and JIT. Tiered
// compilation recompiles the hot methods in the background for several seconds after their first
// calls, so a short warm-up (400 submissions, as before) left that cost to whichever path was
// measured first: the gateway at 852/s, then direct at 1,369/s, then the gateway again at 1,231/s
// in one run. Sustained load with every client, half through each path, for WarmSeconds. 15 s
// was still short: the path measured first ran ~20 % below the other, whichever it was (its
// Consultations instances spending ~40 % more CPU per response); after 45 s it no longer did.
var warmRefusals = new Refusals();
var warmStart = Stopwatch.GetTimestamp();
await Task.WhenAll(Enumerable.Range(0, o.Clients).Select(async worker =>
{
    var client = worker % 2 == 0 ? viaGateway : direct[worker / 2 % direct.Length];
    for (var i = 0; Stopwatch.GetElapsedTime(warmStart).TotalSeconds < o.WarmSeconds; i++)
    {
        var s = new Submitted($"warm-{worker}-{i}", "warm-up") { Started = Stopwatch.GetTimestamp() };
        if (await intake.SubmitUntilAcceptedAsync(client, s, warmRefusals, callGiveUp))
        {
            everything.Add(s);
            watch.Watch(s);
        }
    }
}));
if (!await watch.WaitAllVisibleAsync(TimeSpan.FromSeconds(60)))
{
    report.Note($"warm-up: {watch.Pending} responses not visible in Reporting after 60 s");
}

// ---- 1. sustained intake, through the gateway and directly, one after the other ----
var phases = new List<Phase>();
async Task<Phase> SustainedAsync(string name, Consultations.ConsultationsClient[] clients)
{
    var refusals = new Refusals();
    var records = new ConcurrentBag<Submitted>();
    long gaveUp = 0;
    var cpuBefore = processes.Sample();
    var start = Stopwatch.GetTimestamp();
    var until = TimeSpan.FromSeconds(o.Seconds);
    await Task.WhenAll(Enumerable.Range(0, o.Clients).Select(async worker =>
    {
        var client = clients[worker % clients.Length];
        for (var i = 0; Stopwatch.GetElapsedTime(start) < until; i++)
        {
            var s = new Submitted($"{name}-{worker}-{i}", name) { Started = Stopwatch.GetTimestamp() };
            if (await intake.SubmitUntilAcceptedAsync(client, s, refusals, callGiveUp))
            {
                records.Add(s);
                everything.Add(s);
                watch.Watch(s);
            }
            else
            {
                Interlocked.Increment(ref gaveUp);
            }
        }
    }));
    var end = Stopwatch.GetTimestamp();
    var cpuAfter = processes.Sample();
    var unsentAtEnd = await UnsentOutboxAsync();
    var allVisible = await watch.WaitAllVisibleAsync(TimeSpan.FromSeconds(Math.Max(60, 4 * o.Seconds)));
    var phase = new Phase(name, start, end, [.. records], refusals, Interlocked.Read(ref gaveUp), allVisible, cpuBefore, cpuAfter, unsentAtEnd);
    Console.WriteLine($"{name}: {phase.Accepted:N0} accepted in {phase.Seconds:F1} s ({phase.AcceptedPerSecond:F0}/s), " +
        $"all visible in Reporting {phase.LastVisibleAfterEnd / 1000:F1} s after the end; not visible: {phase.NotVisible}");
    return phase;
}

phases.Add(await SustainedAsync("gateway", [viaGateway]));
phases.Add(await SustainedAsync("direct", direct));
var memoryAfterIntake = processes.Sample();
var (g, d) = (phases[0], phases[1]);

report.Table($"Sustained intake, {o.Clients} clients, {o.Seconds} s per path (accepted = receipt received, the response durable; visible = its row first seen in Reporting's read model)",
    ["", "through the gateway", $"directly, {direct.Length} Consultations instances", "gateway / direct"],
    [
        ["responses accepted", N(g.Accepted), N(d.Accepted), ""],
        ["accepted /s", N(g.AcceptedPerSecond), N(d.AcceptedPerSecond), Pct(g.AcceptedPerSecond, d.AcceptedPerSecond)],
        ["visible in Reporting /s, within the load window", N(g.VisibleInWindowPerSecond), N(d.VisibleInWindowPerSecond), Pct(g.VisibleInWindowPerSecond, d.VisibleInWindowPerSecond)],
        ["visible in Reporting /s, start to last visible", N(g.VisiblePerSecond), N(d.VisiblePerSecond), Pct(g.VisiblePerSecond, d.VisiblePerSecond)],
        ["events not yet published (Consultations outbox) when the load ended", N(g.UnsentOutboxAtEnd), N(d.UnsentOutboxAtEnd), ""],
        ["last response visible after the load ended", N(g.LastVisibleAfterEnd) + " ms", N(d.LastVisibleAfterEnd) + " ms", ""],
        ["accepted latency p50 / p99", $"{N(g.AcceptedP(0.5), 1)} / {N(g.AcceptedP(0.99), 1)} ms", $"{N(d.AcceptedP(0.5), 1)} / {N(d.AcceptedP(0.99), 1)} ms", ""],
        ["end-to-end latency (call start → visible in Reporting) p50 / p99", $"{N(g.VisibleP(0.5), 1)} / {N(g.VisibleP(0.99), 1)} ms", $"{N(d.VisibleP(0.5), 1)} / {N(d.VisibleP(0.99), 1)} ms", ""],
        ["refusals retried (same request_id)", g.Refusals.Describe(), d.Refusals.Describe(), ""],
        ["statuses other than UNAVAILABLE / RESOURCE_EXHAUSTED (first detail)", g.Refusals.NotRetryable == 0 ? "none" : g.Refusals.Samples(), d.Refusals.NotRetryable == 0 ? "none" : d.Refusals.Samples(), ""],
        ["given up after 2 min of refusals", N(g.GaveUp), N(d.GaveUp), ""],
        ["accepted but not visible in Reporting (loss)", N(g.NotVisible), N(d.NotVisible), ""],
    ]);
report.Metric("intake through the gateway, accepted", g.AcceptedPerSecond, "/s", ">= 2000 /s", g.AcceptedPerSecond >= 2000);
report.Metric("intake through the gateway, visible in Reporting", g.VisiblePerSecond, "/s", ">= 2000 /s", g.VisiblePerSecond >= 2000);
report.Metric("intake directly, accepted", d.AcceptedPerSecond, "/s");
report.Metric("intake directly, visible in Reporting", d.VisiblePerSecond, "/s");
report.Metric("gateway throughput as a share of direct", 100 * g.AcceptedPerSecond / d.AcceptedPerSecond, "%");
report.Metric("gateway intake, accepted latency p50", g.AcceptedP(0.5), "ms");
report.Metric("gateway intake, accepted latency p99", g.AcceptedP(0.99), "ms");
report.Metric("gateway intake, end-to-end latency p50", g.VisibleP(0.5), "ms");
report.Metric("gateway intake, end-to-end latency p99", g.VisibleP(0.99), "ms");
report.Metric("direct intake, accepted latency p99", d.AcceptedP(0.99), "ms");
report.Metric("direct intake, end-to-end latency p99", d.VisibleP(0.99), "ms");
var sustainedLoss = g.NotVisible + d.NotVisible + g.GaveUp + d.GaveUp;
report.Metric("sustained intake, accepted but not visible or never accepted", 100.0 * sustainedLoss / Math.Max(1, g.Accepted + d.Accepted), "%", "0 %", sustainedLoss == 0);

// ---- 2. burst through the gateway ----
var burst = new Submitted[o.Burst];
var burstRefusals = new Refusals();
var firstTry = new StatusCode?[o.Burst];
watch.PerResponse = false;
var burstCpuBefore = processes.Sample();
var offer = Stopwatch.StartNew();
var burstStart = Stopwatch.GetTimestamp();
var calls = new Task[o.Burst];
const int Slices = 100;
for (var slice = 0; slice < Slices; slice++)
{
    for (var i = slice * o.Burst / Slices; i < (slice + 1) * o.Burst / Slices; i++)
    {
        var s = burst[i] = new Submitted($"burst-{i}", "burst");
        var index = i;
        calls[i] = Task.Run(async () =>
        {
            s.Started = Stopwatch.GetTimestamp();
            firstTry[index] = (await intake.TryOnceAsync(viaGateway, s, burstRefusals))?.StatusCode;
        });
    }
    var due = TimeSpan.FromMilliseconds((slice + 1) * (double)o.BurstWindowMs / Slices);
    if (offer.Elapsed < due)
    {
        await Task.Delay(due - offer.Elapsed);
    }
}
var offeredIn = offer.Elapsed;
await Task.WhenAll(calls);
var answeredIn = offer.Elapsed;
var acceptedFirst = burst.Count(s => s.Receipt is not null);
foreach (var s in burst.Where(s => s.Receipt is not null))
{
    watch.Watch(s);
}
var firstRefused = firstTry.Where(c => c is not null).GroupBy(c => c!.Value).ToDictionary(x => x.Key, x => x.Count());
Console.WriteLine($"burst: {o.Burst:N0} offered in {offeredIn.TotalMilliseconds:F0} ms, answered after {answeredIn.TotalSeconds:F1} s, " +
    $"{acceptedFirst:N0} accepted at first try; refused: {string.Join(", ", firstRefused.Select(r => $"{r.Key}: {r.Value}"))}");
// The refused retry with the same request_id, honouring retry-after-ms, as clients would.
long burstGaveUp = 0;
await Parallel.ForEachAsync(burst.Where(s => s.Receipt is null).ToList(), new ParallelOptions { MaxDegreeOfParallelism = o.Clients * 2 }, async (s, _) =>
{
    if (await intake.SubmitUntilAcceptedAsync(viaGateway, s, burstRefusals, TimeSpan.FromMinutes(o.DrainMinutes)))
    {
        watch.Watch(s);
    }
    else
    {
        Interlocked.Increment(ref burstGaveUp);
    }
});
var absorbed = burst.Where(s => s.Receipt is not null).ToArray();
var absorbedAfter = absorbed.Length == 0 ? double.NaN : Stopwatch.GetElapsedTime(burstStart, absorbed.Max(s => s.Accepted)).TotalMilliseconds;
var burstCpuAfter = processes.Sample();
var unsentWhenAbsorbed = await UnsentOutboxAsync();
var burstAllVisible = await watch.WaitAllVisibleAsync(TimeSpan.FromMinutes(o.DrainMinutes));
if (!burstAllVisible)
{
    // Counting only says "not all yet": ask for the ids once, so the table says how many are missing.
    watch.PerResponse = true;
    await watch.WaitAllVisibleAsync(TimeSpan.FromSeconds(10));
}
var burstNotVisible = absorbed.Count(s => s.Visible == 0);
var visibleAfter = burstAllVisible && absorbed.Length > 0 ? Stopwatch.GetElapsedTime(burstStart, absorbed.Max(s => s.Visible)).TotalMilliseconds : double.NaN;
foreach (var s in absorbed)
{
    everything.Add(s);
}
var memoryAfterBurst = processes.Sample();
var unsentAfterWait = await UnsentOutboxAsync();
var firstRetryable = firstRefused.Where(r => Refusals.Retryable(r.Key)).Sum(r => r.Value);
var firstOther = firstRefused.Where(r => !Refusals.Retryable(r.Key)).Sum(r => r.Value);

// ---- verification: each accepted response stored once, published, byte-identical (SHA-256) ----
var stored = new Dictionary<string, (string Sha, bool Published)>();
await using (var consultations = NpgsqlDataSource.Create(o.Postgres + ";Database=consultations"))
await using (var command = consultations.CreateCommand("""SELECT "Id"::text, "Sha256", "Published" FROM "Responses" WHERE "ConsultationId" = $1"""))
{
    command.Parameters.Add(new NpgsqlParameter { Value = Guid.Parse(consultation.Id) });
    await using var reader = await command.ExecuteReaderAsync();
    while (await reader.ReadAsync())
    {
        stored[reader.GetString(0)] = (reader.GetString(1), reader.GetBoolean(2));
    }
}
long inReporting;
await using (var reporting = NpgsqlDataSource.Create(o.Postgres + ";Database=reporting"))
await using (var command = reporting.CreateCommand("""SELECT count(*) FROM "ConsultationResponses" WHERE "ConsultationId" = $1"""))
{
    command.Parameters.Add(new NpgsqlParameter { Value = consultation.Id });
    inReporting = (long)(await command.ExecuteScalarAsync())!;
}
var receipts = everything.ToArray();
var missingOrDifferent = receipts.Count(s => !stored.TryGetValue(s.Receipt!.ResponseId, out var row) || row.Sha != s.Receipt.Sha256 || !row.Published);
var sameResponseTwice = receipts.Length - receipts.Select(s => s.Receipt!.ResponseId).Distinct().Count();
var storedNotReceipted = stored.Count - receipts.Select(s => s.Receipt!.ResponseId).Distinct().Count(stored.ContainsKey);

var burstOk = firstOther == 0 && burstGaveUp == 0 && burstNotVisible == 0;
report.Table($"Burst through the gateway: {o.Burst:N0} submissions offered in {N(offeredIn.TotalMilliseconds)} ms (target window {o.BurstWindowMs} ms)",
    ["", "value"],
    [
        ["accepted at first try (durable before the receipt)", $"{N(acceptedFirst)} ({Pct(acceptedFirst, o.Burst)})"],
        ["refused at first try with a retryable status", $"{N(firstRetryable)} ({string.Join(", ", firstRefused.Where(r => Refusals.Retryable(r.Key)).Select(r => $"{r.Key}: {N(r.Value)}"))})"],
        ["other first-try outcomes (must be none)", firstOther == 0 ? "none" : string.Join(", ", firstRefused.Where(r => !Refusals.Retryable(r.Key)).Select(r => $"{r.Key}: {N(r.Value)}")) + " — " + burstRefusals.Samples()],
        ["every first-try answer received after", N(answeredIn.TotalMilliseconds) + " ms"],
        ["all refused retried (same request_id) until accepted; last accepted after", N(absorbedAfter) + " ms"],
        ["attempts in all (refusals while retrying)", $"{N(burst.Sum(s => s.Attempts))} ({burstRefusals.Describe()})"],
        [$"given up after {o.DrainMinutes} min of refusals", N(burstGaveUp)],
        ["all visible in Reporting after (from the burst's start)", burstAllVisible ? N(visibleAfter) + " ms" : $"not within {o.DrainMinutes} min: {N(burstNotVisible)} of {N(absorbed.Length)} not visible"],
        ["events not yet published (Consultations outbox): when all were accepted / at the end of the wait", $"{N(unsentWhenAbsorbed)} / {N(unsentAfterWait)}"],
        ["burst responses accepted in all", $"{N(absorbed.Length)} of {N(o.Burst)}"],
    ]);
report.Metric("burst accepted at first try", 100.0 * acceptedFirst / o.Burst, "%");
report.Metric("burst first-try answers neither accepted nor retryable", 100.0 * firstOther / o.Burst, "%", "0 %", firstOther == 0);
report.Metric("burst: time until every submission was accepted", absorbedAfter, "ms");
report.Metric("burst: time until every submission was visible in Reporting", visibleAfter, "ms");
report.Metric("burst submissions accepted and visible in Reporting", 100.0 * (absorbed.Length - burstNotVisible) / o.Burst, "%", "100 %", burstOk && absorbed.Length == o.Burst);

report.Table("Every receipt of the run checked against the Consultations database (table Responses) and Reporting's read model",
    ["check", "value"],
    [
        ["receipts (warm-up, sustained, burst)", N(receipts.Length)],
        ["responses stored for the consultation", N(stored.Count)],
        ["receipts whose response is missing, unpublished or has another SHA-256", N(missingOrDifferent)],
        ["receipts naming a response another receipt named", N(sameResponseTwice)],
        ["stored responses no receipt names (a retry stored twice)", N(storedNotReceipted)],
        ["rows in Reporting's ConsultationResponses for the consultation", N(inReporting)],
    ]);
var storedOnce = missingOrDifferent == 0 && sameResponseTwice == 0 && storedNotReceipted == 0 && inReporting == receipts.Length;
report.Metric("receipts stored exactly once, published and visible in Reporting", 100.0 * (receipts.Length - missingOrDifferent) / Math.Max(1, receipts.Length), "%", "100 %", storedOnce);

// ---- 3. public reads through the gateway's web port ----
var failures = new List<string>();
var web = o.GatewayWeb.TrimEnd('/');
var page = $"{web}/consultations/{Uri.EscapeDataString(consultation.Id)}";
var zip = $"{page}/responses.zip";
var json = $"{web}/v1/consultations/{Uri.EscapeDataString(consultation.Id)}/responses?pageSize=100";
using (var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) })
{
    // What a reader gets: how many responses the page shows and the bulk download holds.
    try
    {
        var html = await http.GetStringAsync(page);
        var onPage = CountOf(html, "<article class=\"response\"");
        using var zipStream = new MemoryStream(await http.GetByteArrayAsync(zip));
        using var archive = new ZipArchive(zipStream, ZipArchiveMode.Read);
        using var manifest = new StreamReader(archive.GetEntry("manifest.csv")!.Open(), Encoding.UTF8);
        var inZip = (await manifest.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1;
        report.Note($"the consultation has {stored.Count:N0} published responses; its public page shows {onPage:N0} (a page of 100, with a link to the next) and the bulk download holds {inZip:N0}" +
            (inZip < stored.Count ? " (fewer than published: the bulk download is incomplete)" : ""));
        if (inZip < stored.Count)
        {
            failures.Add($"the bulk download holds {inZip:N0} of {stored.Count:N0} responses");
        }
    }
    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidDataException)
    {
        report.Note($"reading the consultation page and its bulk download once failed: {e.GetType().Name}: {e.Message}");
        failures.Add($"reading the consultation page or its bulk download failed: {e.Message}");
    }
}
var reads = new List<PageReads.Result>
{
    await PageReads.RunAsync("consultation page (HTML, first page of 100)", o.ReadConcurrency, TimeSpan.FromSeconds(o.ReadSeconds), h => h.GetAsync(page)),
    await PageReads.RunAsync("one page of 100 responses (JSON API ListResponses)", o.ReadConcurrency, TimeSpan.FromSeconds(o.ReadSeconds),
        h => h.GetAsync(json)),
    await PageReads.RunAsync("bulk download (responses.zip)", Math.Max(1, o.ReadConcurrency / 2), TimeSpan.FromSeconds(o.ReadSeconds), h => h.GetAsync(zip)),
};
report.Table($"Public reads through the gateway's web port (HTTP/1.1), consultation with {stored.Count:N0} responses, {o.ReadSeconds} s each",
    ["read", "clients", "requests/s", "p50", "p99", "mean size", "failed"],
    reads.Select(r => new[] { r.What, N(r.Concurrency), N(r.PerSecond, 1), N(r.P50, 1) + " ms", N(r.P99, 1) + " ms", N(r.MeanKiB) + " KiB", r.Failed == 0 ? "none" : r.FailedAs }));
report.Metric("consultation page reads", reads[0].PerSecond, "req/s");
report.Metric("consultation page p99", reads[0].P99, "ms");
report.Metric("JSON page of 100 responses reads", reads[1].PerSecond, "req/s");
report.Metric("JSON page of 100 responses p99", reads[1].P99, "ms");
report.Metric("bulk download reads", reads[2].PerSecond, "req/s");
report.Metric("bulk download p99", reads[2].P99, "ms");
report.Metric("page reads relative to JSON page reads", 100 * reads[0].PerSecond / reads[1].PerSecond, "%");

// The same public reads over the large consultation and over the small one (100 responses), in
// one run, alternating which goes first: the page and a search must not slow down as responses
// accumulate (issue 27's target: the large one's p99 at most twice the small one's). "connectivity"
// is in every response's text (a search matching them all, paged); a response's own reference
// matches one.
string SearchUrl(string id, string words) => $"{web}/search?consultation={Uri.EscapeDataString(id)}&q={Uri.EscapeDataString(words)}";
var sideBySide = new (string What, string Small, string Large)[]
{
    ("consultation page (first 100)", $"{web}/consultations/{Uri.EscapeDataString(small.Id)}", page),
    ("search, a word in every response (first 25)", SearchUrl(small.Id, "connectivity"), SearchUrl(consultation.Id, "connectivity")),
    ("search, one response's reference", SearchUrl(small.Id, "small-7"), SearchUrl(consultation.Id, "warm-0-7")),
    ("results: counts, similar texts, first 100 (JSON API GetConsultationResults)",
        $"{web}/v1/consultations/{Uri.EscapeDataString(small.Id)}/results?pageSize=100", $"{web}/v1/consultations/{Uri.EscapeDataString(consultation.Id)}/results?pageSize=100"),
};
var scaleRows = new List<string[]>();
var halfRead = TimeSpan.FromSeconds(Math.Max(1, o.ReadSeconds / 2.0));
foreach (var (what, smallUrl, largeUrl) in sideBySide)
{
    // small, large, large, small: each gets one turn first and one second.
    var smallRuns = new List<PageReads.Result>();
    var largeRuns = new List<PageReads.Result>();
    smallRuns.Add(await PageReads.RunAsync(what, o.ReadConcurrency, halfRead, h => h.GetAsync(smallUrl)));
    largeRuns.Add(await PageReads.RunAsync(what, o.ReadConcurrency, halfRead, h => h.GetAsync(largeUrl)));
    largeRuns.Add(await PageReads.RunAsync(what, o.ReadConcurrency, halfRead, h => h.GetAsync(largeUrl)));
    smallRuns.Add(await PageReads.RunAsync(what, o.ReadConcurrency, halfRead, h => h.GetAsync(smallUrl)));
    var (smallRate, largeRate) = (smallRuns.Average(r => r.PerSecond), largeRuns.Average(r => r.PerSecond));
    var (smallP99, largeP99) = (smallRuns.Max(r => r.P99), largeRuns.Max(r => r.P99));
    var failedReads = smallRuns.Concat(largeRuns).Sum(r => r.Failed);
    if (failedReads > 0)
    {
        failures.Add($"{what}: {failedReads} failed reads");
    }
    scaleRows.Add([what, N(smallRate, 1), N(largeRate, 1), N(smallP99, 1) + " ms", N(largeP99, 1) + " ms", N(largeP99 / smallP99, 2) + "×", failedReads == 0 ? "none" : N(failedReads)]);
    report.Metric($"{what}: p99 over {stored.Count:N0} responses relative to over {SmallConsultationSize}", largeP99 / smallP99, "×", "≤ 2", largeP99 <= 2 * smallP99);
}
report.Table($"The same reads over {SmallConsultationSize} and over {stored.Count:N0} responses ({o.ReadConcurrency} clients, 2 × {halfRead.TotalSeconds:0.#} s each, alternating; p99 the worse of the two turns)",
    ["read", $"requests/s, {SmallConsultationSize}", $"requests/s, {stored.Count:N0}", $"p99, {SmallConsultationSize}", $"p99, {stored.Count:N0}", "p99 large / small", "failed"],
    scaleRows);

// ---- 4. memory and CPU per process ----
double Cpu(IReadOnlyList<ClusterProcesses.Usage> before, IReadOnlyList<ClusterProcesses.Usage> after, string name) =>
    after.First(u => u.Name == name).CpuSeconds - before.First(u => u.Name == name).CpuSeconds;
var names = memoryAfterIntake.Select(u => u.Name).ToArray();
report.Table("CPU seconds per process in each load phase (share of the phase's wall time; " + Environment.ProcessorCount + " cores = " + (100 * Environment.ProcessorCount) + " %)",
    ["process", "gateway intake", "direct intake", "burst (offer and retries)"],
    names.Select(n => new[]
    {
        n,
        $"{N(Cpu(g.CpuBefore, g.CpuAfter, n), 1)} s ({N(100 * Cpu(g.CpuBefore, g.CpuAfter, n) / g.Seconds)} %)",
        $"{N(Cpu(d.CpuBefore, d.CpuAfter, n), 1)} s ({N(100 * Cpu(d.CpuBefore, d.CpuAfter, n) / d.Seconds)} %)",
        $"{N(Cpu(burstCpuBefore, burstCpuAfter, n), 1)} s",
    }));
report.Table("Memory per process (VmRSS summed over the process and its children; PSS counts shared pages once)",
    ["process", "processes", "RSS after sustained intake", "RSS after the burst", "PSS after the burst"],
    names.Select(n =>
    {
        var a = memoryAfterIntake.First(u => u.Name == n);
        var b = memoryAfterBurst.First(u => u.Name == n);
        return new[] { n, N(b.Processes), N(a.RssMiB) + " MiB", N(b.RssMiB) + " MiB", N(b.PssMiB) + " MiB" };
    }));
foreach (var u in memoryAfterIntake)
{
    report.Metric($"working set after intake: {u.Name}", u.RssMiB, "MiB");
}
foreach (var n in names.Where(n => n != "this load program"))
{
    report.Metric($"CPU during gateway intake: {n}", 100 * Cpu(g.CpuBefore, g.CpuAfter, n) / g.Seconds, "%");
}
report.Note($"{Environment.ProcessorCount} cores shared by the load program, PostgreSQL, RabbitMQ and five .NET processes (and whatever else runs on the machine): figures are for this machine and load, noisy on a busy one");
report.Note("PostgreSQL runs as scripts/cluster.sh starts it (Debian defaults, fsync on); the gateway's submission rate limit is raised for the run by bench/cluster/run.sh (Gateway__RateLimits__Submissions__PermitLimit)");
report.Note($"visibility is polled in Reporting's database by response id every 25 ms (50 ms while more than 500 are pending, 250 ms while more than 2,000 are): end-to-end times are late by up to one interval plus one query; during the burst the consultation's rows are counted every 250 ms instead and the ids checked once the count is complete; the watch made {watch.Polls:N0} polls");
report.Note($"load average (1, 5, 15 min, /proc/loadavg) at the start: {loadAtStart}; at the end: {File.ReadAllText("/proc/loadavg").Trim()}");
report.Write(o.Out);

var ok = sustainedLoss == 0 && burstOk && storedOnce && absorbed.Length == o.Burst && failures.Count == 0;
foreach (var failure in failures)
{
    Console.WriteLine($"cluster bench: {failure}");
}
Console.WriteLine(ok ? "cluster bench: zero loss, every refusal retryable" : "cluster bench: CORRECTNESS CHECK FAILED (see the tables above)");
return ok ? 0 : 1;

static string Pct(double part, double whole) => whole > 0 ? N(100 * part / whole) + " %" : "n/a";

static int CountOf(string text, string what)
{
    var count = 0;
    for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
    {
        count++;
    }
    return count;
}

internal sealed record Phase(string Name, long Start, long End, Submitted[] Records, Refusals Refusals, long GaveUp, bool AllVisible,
    IReadOnlyList<ClusterProcesses.Usage> CpuBefore, IReadOnlyList<ClusterProcesses.Usage> CpuAfter, long UnsentOutboxAtEnd)
{
    private readonly double[] _accepted = [.. Records.Select(r => r.AcceptedMs).Order()];
    private readonly double[] _visible = [.. Records.Where(r => r.Visible != 0).Select(r => r.VisibleMs).Order()];

    public double Seconds => Stopwatch.GetElapsedTime(Start, End).TotalSeconds;
    public int Accepted => Records.Length;
    public double AcceptedPerSecond => Accepted / Seconds;
    public double VisibleInWindowPerSecond => Records.Count(r => r.Visible != 0 && r.Visible <= End) / Seconds;
    public double VisiblePerSecond => Records.Length == 0 || NotVisible > 0 ? double.NaN
        : Accepted / Stopwatch.GetElapsedTime(Start, Records.Max(r => r.Visible)).TotalSeconds;
    public double LastVisibleAfterEnd => Records.Length == 0 || NotVisible > 0 ? double.NaN
        : Math.Max(0, Stopwatch.GetElapsedTime(End, Records.Max(r => r.Visible)).TotalMilliseconds);
    public int NotVisible => Records.Count(r => r.Visible == 0);
    public double AcceptedP(double q) => Stats.Percentile(_accepted, q);
    public double VisibleP(double q) => Stats.Percentile(_visible, q);
}

internal sealed record Options(string GatewayGrpc, string GatewayWeb, string[] Consultations, string Postgres, string State, string Out,
    int Seconds, int WarmSeconds, int Clients, int Burst, int BurstWindowMs, int ReadSeconds, int ReadConcurrency, int DrainMinutes)
{
    public static Options Parse(string[] args)
    {
        var map = new Dictionary<string, string>();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            map[args[i].TrimStart('-')] = args[i + 1];
        }
        string Need(string key) => map.TryGetValue(key, out var v) ? v : throw new ArgumentException($"--{key} is required (bench/cluster/run.sh passes it)");
        int Int(string key, int fallback) => map.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return new Options(Need("gateway-grpc"), Need("gateway-web"), Need("consultations").Split(' ', StringSplitOptions.RemoveEmptyEntries),
            Need("postgres"), Need("state"), map.GetValueOrDefault("out") ?? "bench/out/cluster.json",
            Int("seconds", 30), Int("warm-seconds", 10), Int("clients", 64), Int("burst", 75_000), Int("burst-window-ms", 1000), Int("read-seconds", 5), Int("read-concurrency", 4), Int("drain-minutes", 30));
    }
}
