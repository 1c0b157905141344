using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
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
using Wsis.Consultations.Log;
using ConsultationLog = Wsis.Consultations.Model.ConsultationLog;
using LogNode = Wsis.Consultations.Model.LogNode;
using Wsis.Consultations.V1;
using Wsis.Contracts.Verification;

// (1) Sustained web intake on PostgreSQL with the log on and off, alternating rounds in one run
// (same machine, same load): accepted submissions/s of each and their ratio (target ≥ 95 %).
// (2) A log of --leaves responses (default 1,000,000) built in PostgreSQL the way intake builds it
// (appends from the head's frontier, complete subtrees stored once), then inclusion and
// consistency proofs read from it as GetInclusionProof / GetConsistencyProof do: time per proof.
// Usage: dotnet run -c Release --project bench/ConsultationsLog -- [--seconds 15] [--rounds 2]
//        [--clients 32] [--writers N] [--leaves 1000000] [--samples 300] [--postgres "Host=…"] [--json out.json]
// --writers: Consultations:Intake:Writers for both modes; without it each mode runs with the
// service's default (1 writer with the log on, 4 with it off), as deployed.
var seconds = Option("--seconds", 15);
var rounds = Option("--rounds", 2);
var clients = Option("--clients", 32);
var leafCount = Option("--leaves", 1_000_000);
var samples = Option("--samples", 300);
var writers = Option("--writers", 0);
var postgres = args.SkipWhile(a => a != "--postgres").Skip(1).FirstOrDefault();
var jsonPath = args.SkipWhile(a => a != "--json").Skip(1).FirstOrDefault();
var machine = $"{Environment.ProcessorCount} cores, .NET {Environment.Version}, load average {File.ReadAllText("/proc/loadavg").Trim()}";
var report = new Wsis.Cluster.Bench.BenchReport("What the consultation log costs (intake with the log on and off; proofs in a large log)", machine);
Console.WriteLine($"machine: {machine}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");

PostgresCluster? cluster = null;
if (postgres is null)
{
    cluster = await PostgresCluster.StartNewAsync();
}

async Task<string> DatabaseAsync(string name) =>
    cluster is not null ? await cluster.CreateDatabaseAsync(name) : postgres!;

var secret = RandomNumberGenerator.GetBytes(32);
var logKey = ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKeyPem();
var rates = new Dictionary<bool, List<double>> { [true] = [], [false] = [] };
for (var round = 0; round < rounds; round++)
{
    foreach (var logOn in round % 2 == 0 ? new[] { false, true } : [true, false])
    {
        var rate = await IntakeAsync(await DatabaseAsync($"log_{(logOn ? "on" : "off")}_{round}"), logOn);
        rates[logOn].Add(rate);
        Console.WriteLine($"round {round + 1}, log {(logOn ? "on " : "off")}: {rate:F0} responses/s");
    }
}

var on = rates[true].Average();
var off = rates[false].Average();
static string Rates(List<double> r) => string.Join(", ", r.Select(x => x.ToString("N0", CultureInfo.InvariantCulture)));
var writersText = writers > 0 ? $"{writers} writer(s) each" : "the service's default writers (1 with the log on, 4 off)";
report.Table($"Sustained intake, {clients} clients, {seconds} s × {rounds} rounds each, alternating, {writersText}",
    ["mode", "responses/s (mean)", "rounds"],
    [
        ["log off", Wsis.Cluster.Bench.BenchReport.N(off), Rates(rates[false])],
        ["log on", Wsis.Cluster.Bench.BenchReport.N(on), Rates(rates[true])],
        ["on / off", Wsis.Cluster.Bench.BenchReport.N(on / off * 100, 1) + " %", ""],
    ]);
report.Metric("intake with the log on relative to off", on / off * 100, "%", "≥ 95 %", on / off >= 0.95);
report.Metric("intake with the log on", on, "/s");
report.Metric("intake with the log off", off, "/s");

await ProofsAsync(await DatabaseAsync("log_million"));
if (cluster is not null)
{
    await cluster.DisposeAsync();
}

if (jsonPath is not null)
{
    report.Write(jsonPath);
}

return;

async Task<double> IntakeAsync(string connectionString, bool logOn)
{
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = Directory.CreateTempSubdirectory("log-bench-").FullName });
    builder.WebHost.UseKestrel(k =>
    {
        k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2);
        k.Limits.Http2.MaxStreamsPerConnection = 1000;
    });
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Database:Provider"] = "Postgres",
        ["ConnectionStrings:Consultations"] = connectionString + ";Maximum Pool Size=100",
        ["Auth:Issuer"] = "bench",
        ["Auth:Audience"] = "bench",
        ["Auth:SigningKeys:0"] = Convert.ToBase64String(secret),
        ["Consultations:Log:SigningKey"] = logKey,
        ["Consultations:Log:Enabled"] = logOn ? "true" : "false",
        ["Consultations:Intake:Writers"] = writers > 0 ? writers.ToString(CultureInfo.InvariantCulture) : null,
    });
    builder.AddServiceDefaults();
    builder.AddConsultations();
    builder.Logging.ClearProviders();
    await using var app = builder.Build();
    app.MapConsultations();
    await app.MigrateDatabaseAsync<ConsultationsDbContext>();
    await app.StartAsync();
    var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true } });
    var client = new Consultations.ConsultationsClient(channel);
    var issuer = new DevelopmentTokenIssuer("bench", "bench", new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(secret));
    Metadata Bearer(string role, string? country = null) =>
        new() { { "authorization", "Bearer " + issuer.Mint(new DevelopmentTokenRequest("bench-" + role, "bench", [role], country)) } };
    var meeting = await client.ScheduleGroupMeetingAsync(new ScheduleGroupMeetingRequest { StartsOn = DateTime.UtcNow.AddMonths(3).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Venue = "Geneva" }, Bearer("secretariat"));
    var consultation = await client.OpenConsultationAsync(new OpenConsultationRequest { MeetingId = meeting.Id, Title = "Bench", IssueText = "Log benchmark" }, Bearer("member-state", "CH"));
    const string Letter = "I write to ask the Council Working Group to keep the Internet open, interoperable and affordable. " +
        "International connectivity costs keep developing countries offline; regional exchange points and transparent transit pricing would help. ";
    SubmitResponseRequest Submission(string id) => new()
    {
        ConsultationId = consultation.Id,
        RequestId = id,
        Respondent = new Respondent { Name = "Respondent " + id, Category = RespondentCategory.Individual, CountryCode = "US", Email = id + "@example.org" },
        Text = Letter + Letter + Letter + " Reference " + id + ".",
    };

    await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) => await client.SubmitResponseAsync(Submission($"warm-{i}")));
    long accepted = 0;
    var clock = Stopwatch.StartNew();
    var until = TimeSpan.FromSeconds(seconds);
    await Task.WhenAll(Enumerable.Range(0, clients).Select(async worker =>
    {
        for (var i = 0; clock.Elapsed < until; i++)
        {
            try
            {
                await client.SubmitResponseAsync(Submission($"s-{worker}-{i}"));
                Interlocked.Increment(ref accepted);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
                await Task.Delay(50);
            }
        }
    }));
    var rate = accepted / clock.Elapsed.TotalSeconds;
    await app.StopAsync();
    return rate;
}

async Task ProofsAsync(string connectionString)
{
    var options = new DbContextOptionsBuilder<PostgresConsultationsDbContext>().UseNpgsql(connectionString).Options;
    await using (var migrating = new PostgresConsultationsDbContext(options))
    {
        await migrating.Database.MigrateAsync();
    }

    var consultationId = Guid.CreateVersion7();
    var build = Stopwatch.StartNew();
    long size = 0;
    var frontier = Array.Empty<byte>();
    const int Batch = 50_000;
    while (size < leafCount)
    {
        var count = (int)Math.Min(Batch, leafCount - size);
        var hashes = Enumerable.Range(0, count).Select(i => SHA256.HashData(BitConverter.GetBytes(size + i))).ToList();
        var appended = ConsultationLog.Append(size, ConsultationLog.FrontierNodes(size, frontier), hashes);
        await using var db = new PostgresConsultationsDbContext(options);
        await db.Database.OpenConnectionAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var nodes = appended.NewNodes.Select(n => new LogNode(consultationId, n.Level, n.Index, n.Hash)).ToList();
        await using (var insert = db.Database.CreateNpgsqlBatch([PostgresBulkInsert.Command(db, nodes)]))
        {
            await insert.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        size = appended.Size;
        frontier = appended.Frontier();
    }

    build.Stop();
    await using var reader = new PostgresConsultationsDbContext(options);
    var root = await LogProofs.ComputeAsync(reader, consultationId, nodes => MerkleLog.Root(nodes, size), CancellationToken.None);
    Console.WriteLine();
    report.Note($"log of {size:N0} leaves built in PostgreSQL in {build.Elapsed.TotalSeconds:F0} s ({size / build.Elapsed.TotalSeconds:F0} leaves/s, batches of {Batch:N0})");

    var random = new Random(26);
    var inclusion = new List<double>();
    var failures = 0;
    for (var s = 0; s < samples; s++)
    {
        var index = random.NextInt64(size);
        var started = Stopwatch.GetTimestamp();
        var path = await LogProofs.ComputeAsync(reader, consultationId, nodes => MerkleLog.InclusionProof(nodes, index, size), CancellationToken.None);
        inclusion.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        failures += MerkleLog.VerifyInclusion(MerkleLog.LeafHash(SHA256.HashData(BitConverter.GetBytes(index))), index, size, path, root) ? 0 : 1;
    }

    var consistency = new List<double>();
    for (var s = 0; s < samples / 3; s++)
    {
        var old = 1 + random.NextInt64(size - 1);
        var started = Stopwatch.GetTimestamp();
        var proof = await LogProofs.ComputeAsync(reader, consultationId, nodes => (MerkleLog.ConsistencyProof(nodes, old, size), MerkleLog.Root(nodes, old)), CancellationToken.None);
        consistency.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        failures += MerkleLog.VerifyConsistency(old, size, proof.Item1, proof.Item2, root) ? 0 : 1;
    }

    static string Stats(List<double> ms)
    {
        var sorted = ms.Order().ToArray();
        return $"{sorted.Average():F2} ms mean, {sorted[sorted.Length / 2]:F2} p50, {sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * 0.99))]:F2} p99";
    }

    report.Table($"Proofs in a log of {size:N0} responses (read from stored subtrees, one query each)",
        ["proof", "time"],
        [
            [$"inclusion ({inclusion.Count} random leaves)", Stats(inclusion)],
            [$"consistency with a random older size ({consistency.Count})", Stats(consistency)],
            ["proofs that failed to verify", failures.ToString(CultureInfo.InvariantCulture)],
        ]);
    report.Metric($"inclusion proof in a log of {size:N0}, mean", inclusion.Average(), "ms");
    report.Metric($"consistency proof in a log of {size:N0}, mean", consistency.Average(), "ms");
    if (failures > 0)
    {
        throw new InvalidOperationException($"{failures} proofs failed to verify");
    }
}

int Option(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
