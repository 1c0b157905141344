using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Platform.Messaging;

/// <summary>What a service registers: its handlers and, optionally, option overrides.</summary>
public sealed class MessagingBuilder<TDbContext>
    where TDbContext : DbContext
{
    private readonly MessagingRegistry _registry;

    internal MessagingBuilder(IServiceCollection services, MessagingRegistry registry)
    {
        Services = services;
        _registry = registry;
    }

    public IServiceCollection Services { get; }

    /// <summary>
    /// Registers <typeparamref name="THandler"/> (scoped) for every <see cref="IIntegrationEventHandler{TEvent}"/>
    /// it implements; the service's endpoint consumes those event types.
    /// </summary>
    public MessagingBuilder<TDbContext> AddHandler<THandler>()
        where THandler : class
    {
        var eventTypes = typeof(THandler).GetInterfaces()
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IIntegrationEventHandler<>))
            .Select(i => i.GetGenericArguments()[0])
            .ToList();
        if (eventTypes.Count == 0)
        {
            throw new ArgumentException($"{typeof(THandler).Name} implements no IIntegrationEventHandler<TEvent>.", nameof(THandler));
        }
        Services.TryAddScoped<THandler>();
        foreach (var eventType in eventTypes)
        {
            var subscription = (IInboxSubscription)Activator.CreateInstance(
                typeof(InboxSubscription<,,>).MakeGenericType(typeof(TDbContext), eventType, typeof(THandler)))!;
            _registry.Subscriptions.Add(subscription);
        }
        return this;
    }

    /// <summary>Overrides options after configuration (section <c>Messaging</c>) is bound.</summary>
    public MessagingBuilder<TDbContext> Configure(Action<MessagingOptions> configure)
    {
        Services.Configure(typeof(TDbContext).FullName, configure);
        return this;
    }
}

/// <summary>Every service's messaging registered in one container (the embedded host has several), read when the bus is built.</summary>
internal sealed class MessagingRegistry
{
    public List<Type> DbContexts { get; } = [];
    public List<IInboxSubscription> Subscriptions { get; } = [];
    public bool UsesRabbitMq { get; set; }

    /// <summary>The services that consume (have handlers), each with its handlers; a service that only raises events needs no queue.</summary>
    public IEnumerable<(Type DbContext, List<IInboxSubscription> Subscriptions)> Consumers() =>
        DbContexts.Select(t => (t, Subscriptions.Where(s => s.DbContextType == t).ToList())).Where(c => c.Item2.Count > 0);
}

public static class MessagingRegistration
{
    /// <summary>
    /// Registers the outbox dispatcher, the inbox handlers, pruning and health checks for
    /// <typeparamref name="TDbContext"/>, and MassTransit (once per container): RabbitMQ when
    /// <c>ConnectionStrings:RabbitMq</c> is set, the in-memory transport otherwise.
    /// The DbContext itself is registered by the service (AddDbContext) and must call
    /// <c>modelBuilder.AddMessaging()</c>.
    /// </summary>
    public static IHostApplicationBuilder AddMessaging<TDbContext>(this IHostApplicationBuilder builder, Action<MessagingBuilder<TDbContext>>? configure = null)
        where TDbContext : DbContext
    {
        builder.Services.AddMessaging(builder.Configuration, configure);
        return builder;
    }

    /// <inheritdoc cref="AddMessaging{TDbContext}(IHostApplicationBuilder, Action{MessagingBuilder{TDbContext}})"/>
    public static IServiceCollection AddMessaging<TDbContext>(this IServiceCollection services, IConfiguration configuration, Action<MessagingBuilder<TDbContext>>? configure = null)
        where TDbContext : DbContext
    {
        var registry = services.FirstOrDefault(d => d.ServiceType == typeof(MessagingRegistry))?.ImplementationInstance as MessagingRegistry;
        var firstService = registry is null;
        if (registry is null)
        {
            registry = new MessagingRegistry();
            services.AddSingleton(registry);
        }
        if (registry.DbContexts.Contains(typeof(TDbContext)))
        {
            throw new InvalidOperationException($"Messaging is already registered for {typeof(TDbContext).Name}.");
        }
        registry.DbContexts.Add(typeof(TDbContext));

        var name = typeof(TDbContext).FullName!;
        services.AddOptions<MessagingOptions>(name)
            .Bind(configuration.GetSection(MessagingOptions.Section))
            .PostConfigure(o => o.Endpoint = string.IsNullOrWhiteSpace(o.Endpoint) ? DefaultEndpoint(typeof(TDbContext)) : o.Endpoint)
            .Validate(o => o.DispatchBatchSize > 0 && o.ConcurrentMessageLimit > 0 && o.InboxWriters > 0 && o.InboxMaxBatch > 0 && o.PruneChunkSize > 0 && o.PruneInterval > TimeSpan.Zero && o.PruneInterval <= TimeSpan.FromMilliseconds(uint.MaxValue - 1) && o.ConsumerRetryLimit >= 0 && o.ConsumerOutageRetryLimit >= 0
                && o.ReceiveEndpointRecoverAfter >= TimeSpan.Zero && o.ReceiveEndpointRecoverAfter <= TimeSpan.FromDays(1),
                "Messaging: DispatchBatchSize, ConcurrentMessageLimit, InboxWriters, InboxMaxBatch and PruneChunkSize must be positive, PruneInterval between 1 ms and 49 days, ConsumerRetryLimit and ConsumerOutageRetryLimit not negative, ReceiveEndpointRecoverAfter between 0 (off) and 1 day.");

        services.AddSingleton<OutboxSignal<TDbContext>>();
        services.AddSingleton<OutboxCommitInterceptor<TDbContext>>();
        // With the lifetime the service gave its options (singleton: built once; scoped otherwise).
        var optionsLifetime = services.LastOrDefault(d => d.ServiceType == typeof(DbContextOptions<TDbContext>))?.Lifetime ?? ServiceLifetime.Scoped;
        services.ConfigureDbContext<TDbContext>((sp, options) => options.AddInterceptors(sp.GetRequiredService<OutboxCommitInterceptor<TDbContext>>()), optionsLifetime);
        services.AddHostedService<OutboxDispatcher<TDbContext>>();
        services.AddSingleton<InboxCommitter<TDbContext>>();
        services.AddHostedService(sp => sp.GetRequiredService<InboxCommitter<TDbContext>>());
        services.AddHostedService<MessagingPruner<TDbContext>>();
        services.AddHealthChecks().AddCheck<MessagingDatabaseHealthCheck<TDbContext>>(
            $"messaging-{DefaultEndpoint(typeof(TDbContext))}", HealthStatus.Unhealthy, ["ready", "database", "messaging"]);

        configure?.Invoke(new MessagingBuilder<TDbContext>(services, registry));

        if (firstService)
        {
            AddBus(services, configuration, registry);
        }
        return services;
    }

    private static void AddBus(IServiceCollection services, IConfiguration configuration, MessagingRegistry registry)
    {
        var rabbitMq = configuration.GetConnectionString("RabbitMq");
        registry.UsesRabbitMq = !string.IsNullOrWhiteSpace(rabbitMq);

        services.AddOptions<MassTransitHostOptions>().Configure<IServiceProvider>((host, sp) =>
        {
            var monitor = sp.GetRequiredService<IOptionsMonitor<MessagingOptions>>();
            host.WaitUntilStarted = registry.DbContexts.Any(t => monitor.Get(t.FullName).WaitUntilBusStarted);
            host.StartTimeout = TimeSpan.FromSeconds(60);
            host.StopTimeout = TimeSpan.FromSeconds(30);
        });

        services.AddMassTransit(bus =>
        {
            if (registry.UsesRabbitMq)
            {
                var address = RabbitMqAddress.Parse(rabbitMq!);
                services.AddSingleton(new BrokerHealthCheck(address));
                services.AddHealthChecks().AddCheck<BrokerHealthCheck>("broker", HealthStatus.Unhealthy, ["ready", "broker"]);
                services.AddSingleton<ReceiveEndpointWatchdog>();
                services.AddHostedService(sp => sp.GetRequiredService<ReceiveEndpointWatchdog>());
                services.AddReceiveEndpointObserver(sp => sp.GetRequiredService<ReceiveEndpointWatchdog>());
                bus.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host(address.Host, address.Port, address.VirtualHost, h =>
                    {
                        h.Username(address.UserName);
                        h.Password(address.Password);
                        h.PublisherConfirmation = true;
                    });
                    ConfigureEndpoints(context, registry, (name, configureEndpoint) => cfg.ReceiveEndpoint(name, e =>
                    {
                        // Replicated, durable queues where the broker supports them (RabbitMQ ≥ 3.8).
                        e.SetQuorumQueue();
                        e.Durable = true;
                        e.AutoDelete = false;
                        configureEndpoint(e);
                    }));
                });
            }
            else
            {
                bus.UsingInMemory((context, cfg) =>
                    ConfigureEndpoints(context, registry, (name, configureEndpoint) => cfg.ReceiveEndpoint(name, configureEndpoint)));
            }
        });
    }

    private static void ConfigureEndpoints(IBusRegistrationContext context, MessagingRegistry registry,
        Action<string, Action<IReceiveEndpointConfigurator>> receiveEndpoint)
    {
        var monitor = context.GetRequiredService<IOptionsMonitor<MessagingOptions>>();
        var logger = context.GetRequiredService<ILoggerFactory>().CreateLogger("Platform.Messaging");
        var endpoints = new List<string>();
        foreach (var (dbContext, subscriptions) in registry.Consumers())
        {
            var options = monitor.Get(dbContext.FullName);
            endpoints.Add(options.Endpoint!);
            receiveEndpoint(options.Endpoint!, e =>
            {
                e.PrefetchCount = options.ConcurrentMessageLimit * 2;
                e.ConcurrentMessageLimit = options.ConcurrentMessageLimit;
                // Bounded retry with back-off while the message stays unacknowledged; then the
                // error queue (<endpoint>_error) with the exception in the MT-Fault-* headers.
                e.UseMessageRetry(r =>
                {
                    var delta = options.ConsumerRetryMinBackoff;
                    r.Exponential(options.ConsumerRetryLimit, options.ConsumerRetryMinBackoff, options.ConsumerRetryMaxBackoff, delta);
                });
                foreach (var subscription in subscriptions)
                {
                    subscription.Connect(e, context, options.Endpoint!);
                }
            });
        }
        Log.TransportChosen(logger, registry.UsesRabbitMq ? "RabbitMQ" : "in-memory", string.Join(", ", endpoints));
    }

    private static string DefaultEndpoint(Type dbContext)
    {
        var name = dbContext.Name;
        foreach (var suffix in new[] { "DbContext", "Context" })
        {
            if (name.Length > suffix.Length && name.EndsWith(suffix, StringComparison.Ordinal))
            {
                name = name[..^suffix.Length];
                break;
            }
        }
        return name.ToLowerInvariant();
    }
}

/// <summary>amqp://user:pass@host:port/vhost, as <c>ConnectionStrings:RabbitMq</c> holds it.</summary>
internal sealed record RabbitMqAddress(string Host, ushort Port, string VirtualHost, string UserName, string Password)
{
    public static RabbitMqAddress Parse(string connectionString)
    {
        if (!Uri.TryCreate(connectionString, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps" or "rabbitmq"))
        {
            throw new InvalidOperationException("ConnectionStrings:RabbitMq must look like amqp://user:password@host:5672/vhost.");
        }
        var user = uri.UserInfo.Split(':', 2);
        var vhost = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        return new RabbitMqAddress(
            uri.Host,
            (ushort)(uri.IsDefaultPort || uri.Port <= 0 ? 5672 : uri.Port),
            vhost.Length == 0 ? "/" : vhost,
            user.Length > 0 && user[0].Length > 0 ? Uri.UnescapeDataString(user[0]) : "guest",
            user.Length > 1 ? Uri.UnescapeDataString(user[1]) : "guest");
    }
}
