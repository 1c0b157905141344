using System.Collections.Concurrent;
using System.Diagnostics;
using MassTransit;
using Messaging.Bench;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Platform.Messaging;
using Testing;

// Usage: dotnet run -c Release --project bench/messaging [-- events writers] [--json PATH]
// --json writes the results as PATH (the contract of bench/README.md: messaging.json).
var jsonIndex = Array.IndexOf(args, "--json");
var jsonPath = jsonIndex >= 0 && jsonIndex + 1 < args.Length ? args[jsonIndex + 1] : null;
var positional = jsonIndex >= 0 ? args.Where((_, i) => i != jsonIndex && i != jsonIndex + 1).ToArray() : args;
var events = positional.Length > 0 ? int.Parse(positional[0], System.Globalization.CultureInfo.InvariantCulture) : 3000;
var writers = positional.Length > 1 ? int.Parse(positional[1], System.Globalization.CultureInfo.InvariantCulture) : 8;
var startedAt = DateTimeOffset.UtcNow;
var loadAtStart = File.ReadAllText("/proc/loadavg").Split(' ')[0];
const int Concurrency = 16;
const int Warmup = 200;

Console.WriteLine($"messaging bench: {events} events, {writers} concurrent writers/publishers, consumer concurrency {Concurrency}, {Environment.ProcessorCount} cores");
await using var rabbit = await RabbitMqNode.StartNewAsync();
await using var postgres = await PostgresCluster.StartNewAsync();
Console.WriteLine($"fixtures: RabbitMQ node started in {rabbit.StartupTime.TotalSeconds:F1} s, PostgreSQL cluster (initdb + start) in {postgres.StartupTime.TotalSeconds:F1} s");

var bare = await BareMassTransit(await rabbit.CreateVirtualHostAsync("bare"));
var outbox = await OutboxInbox(await rabbit.CreateVirtualHostAsync("outbox"), await postgres.CreateDatabaseAsync("producer"), await postgres.CreateDatabaseAsync("consumer"));
var commits = await CommitsOnly(await postgres.CreateDatabaseAsync("commits"));

Console.WriteLine();
Console.WriteLine("| path | events/s | lag p50 | lag p99 | .NET CPU per event |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
Console.WriteLine(bare.Row("bare MassTransit publish (confirmed, persistent, quorum) → consume"));
Console.WriteLine(outbox.Row("outbox (PostgreSQL) → RabbitMQ → inbox (PostgreSQL), commit → applied"));
Console.WriteLine($"| for scale: the business commit alone (EF Core SaveChanges of a row + its outbox row, no dispatcher) | {commits.PerSecond:F0} | | | {commits.Cpu.TotalMilliseconds:F2} ms |");
Console.WriteLine($"ratio outbox/bare: {outbox.PerSecond / bare.PerSecond:P0} of the ceiling in events/s; CPU per event {outbox.CpuPerEvent / bare.CpuPerEvent:F1}x; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
if (jsonPath is not null)
{
    WriteJson(jsonPath);
}
return 0;

void WriteJson(string path)
{
    static string F(double v, string format) => v.ToString(format, System.Globalization.CultureInfo.InvariantCulture);
    static string[] Cells(string name, Result r) =>
        [name, F(r.PerSecond, "F0"), F(r.P50.TotalMilliseconds, "F1"), F(r.P99.TotalMilliseconds, "F1"), F(r.CpuPerEvent.TotalMilliseconds, "F2")];
    static object Metric(string name, double value, string unit) => new { name, value = Math.Round(value, 2), unit };
    var document = new
    {
        title = "Messaging: transactional outbox and inbox against bare MassTransit",
        machine = $"{Environment.ProcessorCount} cores, load average {loadAtStart} at start",
        started = startedAt.ToString("yyyy-MM-ddTHH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture),
        notes = new[]
        {
            $"{events} events after {Warmup} warm-up ones, {writers} concurrent writers/publishers, consumer concurrency {Concurrency}; private RabbitMQ node and PostgreSQL cluster (fsync off, the test fixtures' setting) on the same machine.",
            "Lag: from the publish call (bare) or the commit (outbox) until the consumer has the event (bare) or its inbox row is committed (outbox).",
        },
        tables = new[]
        {
            new
            {
                caption = "events/s and lag",
                columns = new[] { "path", "events/s", "lag p50 ms", "lag p99 ms", ".NET CPU ms/event" },
                rows = new[]
                {
                    Cells("bare MassTransit publish (confirmed, persistent, quorum) → consume", bare),
                    Cells("outbox (PostgreSQL) → RabbitMQ → inbox (PostgreSQL), commit → applied", outbox),
                    new[] { "for scale: the business commit alone (row + outbox row, no dispatcher)", F(commits.PerSecond, "F0"), "", "", F(commits.Cpu.TotalMilliseconds, "F2") },
                },
            },
        },
        metrics = new[]
        {
            Metric("outbox / bare MassTransit, events/s", outbox.PerSecond / bare.PerSecond * 100, "%"),
            Metric("bare MassTransit events/s", bare.PerSecond, "/s"),
            Metric("outbox → inbox events/s", outbox.PerSecond, "/s"),
            Metric("outbox → inbox lag p99", outbox.P99.TotalMilliseconds, "ms"),
            Metric("business commits/s alone", commits.PerSecond, "/s"),
        },
    };
    File.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(document, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    Console.WriteLine($"wrote {path}");
}

async Task<Result> BareMassTransit(string amqp)
{
    var address = new Uri(amqp);
    var consumed = new ConcurrentDictionary<Guid, long>();
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.ClearProviders();
    builder.Services.AddOptions<MassTransitHostOptions>().Configure(o => o.WaitUntilStarted = true);
    builder.Services.AddMassTransit(x => x.UsingRabbitMq((context, cfg) =>
    {
        var user = address.UserInfo.Split(':');
        cfg.Host(address.Host, (ushort)address.Port, Uri.UnescapeDataString(address.AbsolutePath.TrimStart('/')), h =>
        {
            h.Username(user[0]);
            h.Password(user[1]);
            h.PublisherConfirmation = true;
        });
        cfg.ReceiveEndpoint("bench-bare", e =>
        {
            e.SetQuorumQueue();
            e.PrefetchCount = Concurrency * 2;
            e.ConcurrentMessageLimit = Concurrency;
            e.Handler<BenchEvent>(c =>
            {
                consumed[c.Message.EventId] = Stopwatch.GetTimestamp();
                return Task.CompletedTask;
            });
        });
    }));
    using var host = builder.Build();
    await host.StartAsync();
    var bus = host.Services.GetRequiredService<IBus>();

    async Task<Dictionary<Guid, long>> Publish(int count)
    {
        var started = new ConcurrentDictionary<Guid, long>();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = writers }, async (i, ct) =>
        {
            var e = BenchEvent.Create(i);
            started[e.EventId] = Stopwatch.GetTimestamp();
            await bus.Publish(e, c => { c.MessageId = e.EventId; c.Durable = true; }, ct);
        });
        return new Dictionary<Guid, long>(started);
    }

    await Publish(Warmup);
    await WaitFor(() => consumed.Count >= Warmup);
    consumed.Clear();

    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    var start = await Publish(events);
    await WaitFor(() => consumed.Count >= events);
    clock.Stop();
    cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
    await host.StopAsync();
    return Result.From(events, clock.Elapsed, start, consumed, cpu);
}

async Task<Result> OutboxInbox(string amqp, string producerDb, string consumerDb)
{
    var applied = new ConcurrentDictionary<Guid, long>();
    var published = new PublishedCounter("bench-producer", "messaging.outbox.published");
    var rounds = new PublishedCounter("bench-producer", "messaging.outbox.rounds");
    using var consumer = await Service(consumerDb, amqp, "bench-consumer", services => services.AddSingleton(applied), consumes: true);
    using var producer = await Service(producerDb, amqp, "bench-producer", _ => { }, consumes: false);

    async Task<Dictionary<Guid, long>> Raise(int count)
    {
        var committed = new ConcurrentDictionary<Guid, long>();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = writers }, async (i, ct) =>
        {
            await using var scope = producer.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BenchDb>();
            var e = BenchEvent.Create(i);
            db.Things.Add(new Thing { Id = e.EventId, Number = i });
            db.AddIntegrationEvent(e, aggregateKey: $"thing-{i % 64}");
            await db.SaveChangesAsync(ct);
            committed[e.EventId] = Stopwatch.GetTimestamp();
        });
        return new Dictionary<Guid, long>(committed);
    }

    await Raise(Warmup);
    await WaitFor(() => applied.Count >= Warmup);
    applied.Clear();

    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var publishedBefore = published.Count;
    var roundsBefore = rounds.Count;
    var clock = Stopwatch.StartNew();
    var start = await Raise(events);
    var committedIn = clock.Elapsed;
    await WaitFor(() => published.Count - publishedBefore >= events);
    var publishedIn = clock.Elapsed;
    await WaitFor(() => applied.Count >= events);
    clock.Stop();
    cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
    Console.WriteLine($"outbox path: all committed after {committedIn.TotalSeconds:F1} s ({events / committedIn.TotalSeconds:F0}/s), " +
                      $"all published after {publishedIn.TotalSeconds:F1} s ({(double)events / (rounds.Count - roundsBefore):F1} rows per dispatch round), " +
                      $"all applied after {clock.Elapsed.TotalSeconds:F1} s");
    await producer.StopAsync();
    await consumer.StopAsync();
    return Result.From(events, clock.Elapsed, start, applied, cpu);
}

async Task<(double PerSecond, TimeSpan Cpu)> CommitsOnly(string database)
{
    var options = new DbContextOptionsBuilder<BenchDb>().UseNpgsql(database).Options;
    await using (var db = new BenchDb(options))
    {
        await db.Database.EnsureCreatedAsync();
    }
    async Task Commit(int count) => await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = writers }, async (i, ct) =>
    {
        await using var db = new BenchDb(options);
        var e = BenchEvent.Create(i);
        db.Things.Add(new Thing { Id = e.EventId, Number = i });
        db.AddIntegrationEvent(e, aggregateKey: $"thing-{i % 64}");
        await db.SaveChangesAsync(ct);
    });
    await Commit(Warmup);
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    await Commit(events);
    return (events / clock.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu) / events);
}

static async Task<IHost> Service(string database, string amqp, string endpoint, Action<IServiceCollection> extra, bool consumes)
{
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.ClearProviders();
    builder.Configuration["ConnectionStrings:RabbitMq"] = amqp;
    builder.Configuration["Messaging:Endpoint"] = endpoint;
    builder.Configuration["Messaging:WaitUntilBusStarted"] = "true";
    builder.Configuration["Messaging:ConcurrentMessageLimit"] = Concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture);
    builder.Services.AddDbContext<BenchDb>(o => o.UseNpgsql(database).ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning)));
    extra(builder.Services);
    builder.AddMessaging<BenchDb>(m =>
    {
        if (consumes)
        {
            m.AddHandler<BenchHandler>();
        }
    });
    var host = builder.Build();
    await using (var scope = host.Services.CreateAsyncScope())
    {
        await scope.ServiceProvider.GetRequiredService<BenchDb>().Database.EnsureCreatedAsync();
    }
    await host.StartAsync();
    return host;
}

static async Task WaitFor(Func<bool> done)
{
    var deadline = Stopwatch.StartNew();
    while (!done())
    {
        if (deadline.Elapsed > TimeSpan.FromMinutes(5))
        {
            throw new TimeoutException("the benchmark did not finish in 5 minutes");
        }
        await Task.Delay(5);
    }
}

/// <summary>Counts one of the platform's counters for one endpoint.</summary>
internal sealed class PublishedCounter
{
    private long _count;

    public PublishedCounter(string endpoint, string counter)
    {
        var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == MessagingMetrics.MeterName && instrument.Name == counter)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == MessagingMetrics.EndpointTag && Equals(tag.Value, endpoint))
                {
                    Interlocked.Add(ref _count, value);
                }
            }
        });
        listener.Start();
    }

    public long Count => Interlocked.Read(ref _count);
}

/// <param name="CpuPerEvent">CPU time of this process (the .NET side: host, EF Core, MassTransit) per event;
/// unlike wall-clock rates it barely depends on what else the machine runs.</param>
internal sealed record Result(double PerSecond, TimeSpan P50, TimeSpan P99, TimeSpan CpuPerEvent)
{
    public static Result From(int count, TimeSpan elapsed, Dictionary<Guid, long> start, ConcurrentDictionary<Guid, long> end, TimeSpan cpu)
    {
        var lags = start.Select(s => Stopwatch.GetElapsedTime(s.Value, end[s.Key])).Order().ToList();
        return new Result(count / elapsed.TotalSeconds, lags[(int)(lags.Count * 0.50)], lags[Math.Min(lags.Count - 1, (int)(lags.Count * 0.99))], cpu / count);
    }

    public string Row(string name) =>
        $"| {name} | {PerSecond:F0} | {P50.TotalMilliseconds:F1} ms | {P99.TotalMilliseconds:F1} ms | {CpuPerEvent.TotalMilliseconds:F2} ms |";
}
