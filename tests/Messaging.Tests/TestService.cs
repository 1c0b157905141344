using Messaging.Dispatcher;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Platform.Messaging;
using Xunit.Abstractions;

namespace Messaging.Tests;

/// <summary>
/// A "service" for the fault tests: a generic host with its own database (PostgreSQL or SQLite),
/// the platform's messaging on RabbitMQ (or in-memory), and optionally the ping handler.
/// </summary>
internal sealed class TestService : IAsyncDisposable
{
    private readonly IHost _host;

    private TestService(IHost host, string endpoint)
    {
        _host = host;
        Endpoint = endpoint;
    }

    public string Endpoint { get; }
    public IServiceProvider Services => _host.Services;
    public PingHandlerBehaviour Behaviour => _host.Services.GetRequiredService<PingHandlerBehaviour>();

    public static async Task<TestService> StartAsync(
        ITestOutputHelper output,
        Action<DbContextOptionsBuilder> database,
        string? rabbitMq,
        string endpoint,
        bool consumes,
        Action<MessagingOptions>? tune = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new TestOutputLogger(output, endpoint));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("MassTransit", LogLevel.Error);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.None);
        if (rabbitMq is not null)
        {
            builder.Configuration["ConnectionStrings:RabbitMq"] = rabbitMq;
        }
        builder.Configuration["Messaging:Endpoint"] = endpoint;
        builder.Services.AddSingleton<PingHandlerBehaviour>();
        builder.Services.AddDbContext<FaultTestDb>(o =>
        {
            database(o);
            // The migrations are hand-written without a model snapshot.
            o.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
        });
        builder.AddMessaging<FaultTestDb>(m =>
        {
            if (consumes)
            {
                m.AddHandler<PingHandler>();
            }
            m.Configure(o =>
            {
                o.WaitUntilBusStarted = true;
                o.DispatchPollInterval = TimeSpan.FromMilliseconds(200);
                o.PublishTimeout = TimeSpan.FromSeconds(3);
                o.MaxPublishBackoff = TimeSpan.FromSeconds(1);
                o.ConsumerRetryLimit = 3;
                o.ConsumerRetryMinBackoff = TimeSpan.FromMilliseconds(50);
                o.ConsumerRetryMaxBackoff = TimeSpan.FromMilliseconds(500);
                tune?.Invoke(o);
            });
        });

        var host = builder.Build();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<FaultTestDb>().Database.MigrateAsync();
        }
        await host.StartAsync();
        return new TestService(host, endpoint);
    }

    public static Action<DbContextOptionsBuilder> Postgres(string connectionString) => o => o.UseNpgsql(connectionString);

    public static Action<DbContextOptionsBuilder> Sqlite(string file) => o => o.UseSqlite($"Data Source={file}");

    public async Task<T> WithDbAsync<T>(Func<FaultTestDb, Task<T>> work)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<FaultTestDb>());
    }

    public Task WithDbAsync(Func<FaultTestDb, Task> work) => WithDbAsync(async db => { await work(db); return true; });

    public async Task<HealthStatus> HealthAsync(string tag)
    {
        var report = await _host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Tags.Contains(tag));
        return report.Status;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await _host.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
        }
        _host.Dispose();
    }
}

/// <summary>Warnings and errors of a test's hosts in the test's output (never after the test ended).</summary>
internal sealed class TestOutputLogger(ITestOutputHelper output, string name) : ILoggerProvider, ILogger
{
    public ILogger CreateLogger(string categoryName) => this;
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            output.WriteLine($"[{name} {logLevel}] {formatter(state, exception)}");
        }
        catch (InvalidOperationException)
        {
            // The test has finished; its output is closed.
        }
    }

    public void Dispose()
    {
    }
}
