using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Platform.Data;
using Platform.Security;
using Platform.ServiceDefaults;
using Testing;
using Wsis.Consultations;
using Wsis.Consultations.Data;
using Wsis.Consultations.V1;

// Submission intake on PostgreSQL: (1) sustained load from a fixed number of concurrent
// clients, responses/s and latency percentiles; (2) a burst of N submissions offered within one
// second: every accepted one must be durable and published, every refused one told to retry
// (UNAVAILABLE + retry-after-ms), after which the refused are retried until all are stored.
// Usage: dotnet run -c Release --project bench/Consultations -- [--seconds 20] [--clients 32]
//        [--burst 75000] [--postgres "Host=…"] (without --postgres a private cluster is started)
//        [--json PATH] (the results also as JSON: bench/README.md)
var settings = Args.Parse(args);
var startedAt = DateTimeOffset.UtcNow;
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");

PostgresCluster? cluster = null;
var connectionString = settings.Postgres;
if (connectionString is null)
{
    cluster = await PostgresCluster.StartNewAsync();
    connectionString = await cluster.CreateDatabaseAsync("consultations_bench");
}

var secret = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = Directory.CreateTempSubdirectory("bench-").FullName });
builder.WebHost.UseKestrel(k =>
{
    k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2);
    k.Limits.Http2.MaxStreamsPerConnection = 1000;
});
builder.Logging.ClearProviders();
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Database:Provider"] = "Postgres",
    ["ConnectionStrings:Consultations"] = connectionString + ";Maximum Pool Size=100",
    ["Auth:Issuer"] = "bench",
    ["Auth:Audience"] = "bench",
    ["Auth:SigningKeys:0"] = Convert.ToBase64String(secret),
    ["Consultations:Log:SigningKey"] = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKeyPem(),
    ["Consultations:Intake:MaxConcurrent"] = settings.ServerConcurrency.ToString(CultureInfo.InvariantCulture),
    ["Consultations:Intake:MaxQueue"] = settings.ServerQueue.ToString(CultureInfo.InvariantCulture),
});
builder.AddServiceDefaults();
builder.AddConsultations();
// Request logs on the console would measure the console, not the intake.
builder.Logging.ClearProviders();
var app = builder.Build();
app.MapConsultations();
await app.MigrateDatabaseAsync<ConsultationsDbContext>();
await app.StartAsync();
var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
Console.WriteLine($"service: in-process Kestrel HTTP/2 at {address}, PostgreSQL, intake gate {settings.ServerConcurrency} concurrent + {settings.ServerQueue} queued");

using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true } });
var client = new Consultations.ConsultationsClient(channel);
var issuer = new DevelopmentTokenIssuer("bench", "bench", new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(secret));
Metadata Bearer(string role, string? country = null) =>
    new() { { "authorization", "Bearer " + issuer.Mint(new DevelopmentTokenRequest("bench-" + role, "bench", [role], country)) } };

var meeting = await client.ScheduleGroupMeetingAsync(new ScheduleGroupMeetingRequest { StartsOn = DateTime.UtcNow.AddMonths(3).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Venue = "Geneva" }, Bearer("secretariat"));
var consultation = await client.OpenConsultationAsync(new OpenConsultationRequest { MeetingId = meeting.Id, Title = "Bench", IssueText = "Intake benchmark" }, Bearer("member-state", "CH"));

// A realistic comment: about 1 KB of text, varied per submission (campaign letters look like this).
const string Letter = "I write to ask the Council Working Group to keep the Internet open, interoperable and affordable. " +
    "International connectivity costs keep developing countries offline; regional exchange points, open access to submarine " +
    "cable landing stations and transparent transit pricing would help. Multilingual content and local hosting matter as much " +
    "as bandwidth. Please consider this response at your next meeting and publish it unedited, as Resolution 1344 provides. ";
SubmitResponseRequest Submission(string id) => new()
{
    ConsultationId = consultation.Id,
    RequestId = id,
    Respondent = new Respondent { Name = "Respondent " + id, Category = RespondentCategory.Individual, CountryCode = "US", Email = id + "@example.org" },
    Text = Letter + Letter + " Reference " + id + ".",
};

// Warm-up: JIT, connection pool, plans.
await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) => await client.SubmitResponseAsync(Submission($"warm-{i}")));

// ---- 1. sustained ----
var latencies = new ConcurrentBag<double>();
long sustainedAccepted = 0, sustainedRetries = 0;
var sustained = Stopwatch.StartNew();
var until = TimeSpan.FromSeconds(settings.Seconds);
await Task.WhenAll(Enumerable.Range(0, settings.Clients).Select(async worker =>
{
    for (var i = 0; sustained.Elapsed < until; i++)
    {
        var request = Submission($"s-{worker}-{i}");
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                await client.SubmitResponseAsync(request);
                break;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
                Interlocked.Increment(ref sustainedRetries);
                await Task.Delay(50);
            }
        }

        latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        Interlocked.Increment(ref sustainedAccepted);
    }
}));
sustained.Stop();
var sorted = latencies.Order().ToArray();
double P(double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
Console.WriteLine();
Console.WriteLine($"| sustained, {settings.Clients} clients, {sustained.Elapsed.TotalSeconds:F0} s | value |");
Console.WriteLine("| --- | --- |");
Console.WriteLine($"| responses stored | {sustainedAccepted} |");
Console.WriteLine($"| responses/s | {sustainedAccepted / sustained.Elapsed.TotalSeconds:F0} |");
Console.WriteLine($"| latency p50 / p99 / max | {P(0.50):F1} ms / {P(0.99):F1} ms / {sorted[^1]:F1} ms |");
Console.WriteLine($"| told to retry (then stored) | {sustainedRetries} |");

// ---- 2. burst ----
var burst = settings.Burst;
var outcomes = new (Receipt? Receipt, StatusCode? Code)[burst];
var offer = Stopwatch.StartNew();
var calls = new Task[burst];
var ticks = 100; // offered in 100 slices of 10 ms across one second
for (var slice = 0; slice < ticks; slice++)
{
    var from = slice * burst / ticks;
    var to = (slice + 1) * burst / ticks;
    for (var i = from; i < to; i++)
    {
        var index = i;
        calls[index] = Task.Run(async () =>
        {
            try
            {
                outcomes[index] = (await client.SubmitResponseAsync(Submission($"b-{index}")), null);
            }
            catch (RpcException e)
            {
                outcomes[index] = (null, e.StatusCode);
            }
        });
    }

    var due = TimeSpan.FromMilliseconds((slice + 1) * 1000.0 / ticks);
    if (offer.Elapsed < due)
    {
        await Task.Delay(due - offer.Elapsed);
    }
}

var offeredIn = offer.Elapsed;
await Task.WhenAll(calls);
var answeredIn = offer.Elapsed;
var accepted = outcomes.Count(o => o.Receipt is not null);
var toldToRetry = outcomes.Count(o => o.Code == StatusCode.Unavailable);
Console.WriteLine($"burst first try: {accepted} accepted, {toldToRetry} UNAVAILABLE, {outcomes.Count(o => o.Code == StatusCode.ResourceExhausted)} RESOURCE_EXHAUSTED (HTTP/2 stream resets), answered after {answeredIn.TotalSeconds:F1} s");
var otherErrors = outcomes.Where(o => o.Receipt is null && o.Code is not (StatusCode.Unavailable or StatusCode.ResourceExhausted)).GroupBy(o => o.Code).ToDictionary(g => g.Key?.ToString() ?? "none", g => g.Count());

// Retry the refused ones (same request_id) until every submission is stored.
var drain = Stopwatch.StartNew();
var pending = Enumerable.Range(0, burst).Where(i => outcomes[i].Receipt is null).ToList();
var rounds = 0;
while (pending.Count > 0 && rounds < 200)
{
    rounds++;
    var next = new ConcurrentBag<int>();
    await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) =>
    {
        try
        {
            outcomes[i] = (await client.SubmitResponseAsync(Submission($"b-{i}")), null);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.ResourceExhausted)
        {
            // UNAVAILABLE: the intake gate; RESOURCE_EXHAUSTED: Kestrel resetting streams
            // (ENHANCE_YOUR_CALM) under the flood. Both mean nothing was stored: retry.
            next.Add(i);
        }
    });
    pending = [.. next];
    if (pending.Count > 0)
    {
        await Task.Delay(500);
    }
}

drain.Stop();

// Durability and publication: every receipt's response is in the database, published, with its hash.
await using (var scope = app.Services.CreateAsyncScope())
{
    var db = scope.ServiceProvider.GetRequiredService<ConsultationsDbContext>();
    var consultationId = Guid.Parse(consultation.Id);
    var stored = (await db.Responses.AsNoTracking().Where(r => r.ConsultationId == consultationId && r.Published)
        .Select(r => new { r.Id, r.Sha256 }).ToListAsync()).ToDictionary(r => r.Id.ToString(), r => r.Sha256);
    var receipts = outcomes.Where(o => o.Receipt is not null).Select(o => o.Receipt!).ToList();
    var missing = receipts.Count(r => !stored.TryGetValue(r.ResponseId, out var sha) || sha != r.Sha256);
    var duplicates = receipts.Count - receipts.Select(r => r.ResponseId).Distinct().Count();
    var counted = (await client.GetConsultationAsync(new GetConsultationRequest { Id = consultation.Id })).PublishedResponseCount;

    Console.WriteLine();
    Console.WriteLine($"| burst of {burst} offered in {offeredIn.TotalMilliseconds:F0} ms | value |");
    Console.WriteLine("| --- | --- |");
    Console.WriteLine($"| accepted at first try (durable before the receipt) | {accepted} |");
    Console.WriteLine($"| refused with UNAVAILABLE + retry-after-ms (nothing stored) | {toldToRetry} |");
    Console.WriteLine($"| other outcomes (must be none) | {(otherErrors.Count == 0 ? "none" : string.Join(", ", otherErrors.Select(e => $"{e.Key}: {e.Value}")))} |");
    Console.WriteLine($"| every first-try answer received after | {answeredIn.TotalSeconds:F1} s |");
    Console.WriteLine($"| refused ones retried (same request_id) until stored | {drain.Elapsed.TotalSeconds:F1} s, {rounds} round(s), {pending.Count} left |");
    Console.WriteLine($"| receipts whose response is missing or differs in the database | {missing} |");
    Console.WriteLine($"| receipts naming the same response twice | {duplicates} |");
    Console.WriteLine($"| published responses counted by the service (incl. warm-up and sustained) | {counted} |");
    Console.WriteLine($"| burst responses stored in all | {receipts.Count} of {burst} |");
    if (settings.Json is not null)
    {
        // The same figures as $BENCH_OUT/intake-inprocess.json (the contract of bench/README.md).
        string F(double v, string format = "F0") => v.ToString(format, CultureInfo.InvariantCulture);
        object Metric(string name, double value, string unit, string? target = null, bool? met = null) =>
            target is null ? new { name, value = Math.Round(value, 2), unit } : new { name, value = Math.Round(value, 2), unit, target, met };
        var storedShare = receipts.Count * 100.0 / burst;
        var intact = receipts.Count == 0 ? 0 : (receipts.Count - missing - duplicates) * 100.0 / receipts.Count;
        var document = new
        {
            title = "Consultations intake in-process: sustained submissions and a burst",
            machine = $"{Environment.ProcessorCount} cores, .NET {Environment.Version}, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the end",
            started = startedAt.ToString("yyyy-MM-ddTHH:mm:ssK", CultureInfo.InvariantCulture),
            notes = new[]
            {
                "The service in-process as deployed (AddConsultations/MapConsultations, Kestrel HTTP/2 on loopback, PostgreSQL, outbox), called through the project's gRPC client; about 1 KB per response.",
                connectionString == settings.Postgres ? "PostgreSQL given with --postgres." : "Private PostgreSQL cluster of the test fixtures (fsync off): commits are cheaper than on a production server.",
            },
            tables = new[]
            {
                new
                {
                    caption = $"sustained: {settings.Clients} clients for {F(sustained.Elapsed.TotalSeconds)} s",
                    columns = new[] { "measure", "value" },
                    rows = new[]
                    {
                        new[] { "responses stored", F(sustainedAccepted) },
                        new[] { "responses/s", F(sustainedAccepted / sustained.Elapsed.TotalSeconds) },
                        new[] { "latency p50 / p99 / max", $"{F(P(0.50), "F1")} ms / {F(P(0.99), "F1")} ms / {F(sorted[^1], "F1")} ms" },
                        new[] { "told to retry (then stored)", F(sustainedRetries) },
                    },
                },
                new
                {
                    caption = $"burst of {burst} offered in {F(offeredIn.TotalMilliseconds)} ms",
                    columns = new[] { "measure", "value" },
                    rows = new[]
                    {
                        new[] { "accepted at first try (durable before the receipt)", F(accepted) },
                        new[] { "refused with UNAVAILABLE + retry-after-ms (nothing stored)", F(toldToRetry) },
                        new[] { "other outcomes (must be none)", otherErrors.Count == 0 ? "none" : string.Join(", ", otherErrors.Select(e => $"{e.Key}: {e.Value}")) },
                        new[] { "every first-try answer received after", $"{F(answeredIn.TotalSeconds, "F1")} s" },
                        new[] { "refused ones retried (same request_id) until stored", $"{F(drain.Elapsed.TotalSeconds, "F1")} s, {rounds} round(s), {pending.Count} left" },
                        new[] { "receipts whose response is missing or differs in the database", F(missing) },
                        new[] { "receipts naming the same response twice", F(duplicates) },
                        new[] { "burst responses stored in all", $"{receipts.Count} of {burst}" },
                    },
                },
            },
            metrics = new[]
            {
                Metric("sustained responses/s", sustainedAccepted / sustained.Elapsed.TotalSeconds, "/s"),
                Metric("sustained latency p50", P(0.50), "ms"),
                Metric("sustained latency p99", P(0.99), "ms"),
                Metric("burst accepted at first try", accepted * 100.0 / burst, "%"),
                Metric("burst stored after retries", storedShare, "%", ">= 100 %", storedShare >= 100),
                Metric("receipts intact in the database", intact, "%", ">= 100 %", intact >= 100 && otherErrors.Count == 0),
            },
        };
        File.WriteAllText(settings.Json, System.Text.Json.JsonSerializer.Serialize(document, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"wrote {settings.Json}");
    }
}

await app.StopAsync();
if (cluster is not null)
{
    await cluster.DisposeAsync();
}

internal sealed record Args(int Seconds, int Clients, int Burst, string? Postgres, int ServerConcurrency, int ServerQueue, string? Json)
{
    public static Args Parse(string[] args)
    {
        var map = new Dictionary<string, string>();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            map[args[i].TrimStart('-')] = args[i + 1];
        }

        int Int(string key, int fallback) => map.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return new Args(Int("seconds", 20), Int("clients", 32), Int("burst", 75_000), map.GetValueOrDefault("postgres"),
            Int("server-concurrency", 32), Int("server-queue", 2000), map.GetValueOrDefault("json"));
    }
}
