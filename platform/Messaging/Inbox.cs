using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Platform.Messaging;

/// <summary>One handler of one event type, consumed on a service's endpoint.</summary>
internal interface IInboxSubscription
{
    Type DbContextType { get; }
    Type EventType { get; }
    string Consumer { get; }
    void Connect(IReceiveEndpointConfigurator endpoint, IServiceProvider services, string endpointName);
}

internal sealed class InboxSubscription<TDbContext, TEvent, THandler> : IInboxSubscription
    where TDbContext : DbContext
    where TEvent : class
    where THandler : class, IIntegrationEventHandler<TEvent>
{
    public Type DbContextType => typeof(TDbContext);
    public Type EventType => typeof(TEvent);
    public string Consumer { get; } = typeof(THandler).FullName!;

    /// <summary>The batch preparation of <typeparamref name="THandler"/> for <typeparamref name="TEvent"/>, if it has one (one delegate, so a batch groups by it).</summary>
    private static readonly Func<IServiceProvider, IReadOnlyList<object>, CancellationToken, Task>? Prepare =
        typeof(IPrepareIntegrationEvents<TEvent>).IsAssignableFrom(typeof(THandler))
            ? (scope, messages, ct) => ((IPrepareIntegrationEvents<TEvent>)scope.GetRequiredService<THandler>()).PrepareAsync(messages.Cast<TEvent>().ToList(), ct)
            : null;

    public void Connect(IReceiveEndpointConfigurator endpoint, IServiceProvider services, string endpointName)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger($"Platform.Messaging.Inbox.{typeof(TEvent).Name}");
        var options = services.GetRequiredService<IOptionsMonitor<MessagingOptions>>().Get(typeof(TDbContext).FullName);
        var committer = services.GetRequiredService<InboxCommitter<TDbContext>>();
        endpoint.Handler<TEvent>(context => HandleThroughOutagesAsync(context, committer, endpointName, logger, options));
    }

    /// <summary>
    /// While the database is unreachable the message stays unacknowledged and is tried again every
    /// <see cref="MessagingOptions.ConsumerOutageRetryInterval"/>, so an outage longer than the
    /// ordinary retries does not send it to the error queue.
    /// </summary>
    private async Task HandleThroughOutagesAsync(ConsumeContext<TEvent> context, InboxCommitter<TDbContext> committer, string endpointName, ILogger logger, MessagingOptions options)
    {
        for (var round = 1; ; round++)
        {
            try
            {
                await HandleAsync(context, committer, endpointName, logger);
                return;
            }
            catch (Exception ex) when (round <= options.ConsumerOutageRetryLimit && Platform.Data.TransientFailures.IsTransient(ex) && !context.CancellationToken.IsCancellationRequested)
            {
                await Task.Delay(options.ConsumerOutageRetryInterval, context.CancellationToken);
            }
        }
    }

    /// <summary>
    /// Applies the message at most once: inbox row and handler effect commit in one transaction
    /// (shared with the other messages being handled at that moment, see <see cref="InboxCommitter{TDbContext}"/>);
    /// MassTransit acknowledges the delivery only after this returns, i.e. after the commit.
    /// </summary>
    private async Task HandleAsync(ConsumeContext<TEvent> context, InboxCommitter<TDbContext> committer, string endpointName, ILogger logger)
    {
        var messageId = context.MessageId
            ?? throw new InvalidOperationException("The message has no MessageId; it cannot be deduplicated.");
        var attempt = context.GetRetryAttempt() + 1;
        var tag = MessagingMetrics.Tag(endpointName);
        if (attempt == 1)
        {
            MessagingMetrics.Delivered.Add(1, tag);
        }

        var message = context.Message;
        var eventContext = new IntegrationEventContext(messageId, context.SentTime, attempt);
        var work = new InboxWork(messageId, Consumer, message,
            (scope, ct) => scope.GetRequiredService<THandler>().HandleAsync(message, eventContext, ct), Prepare, context.CancellationToken);
        try
        {
            if (await committer.ApplyAsync(work, context.CancellationToken))
            {
                MessagingMetrics.Applied.Add(1, tag);
            }
            else
            {
                MessagingMetrics.Duplicates.Add(1, tag);
                Log.DuplicateIgnored(logger, endpointName, messageId, Consumer);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            MessagingMetrics.Failed.Add(1, tag);
            Log.HandlerFailed(logger, endpointName, messageId, Consumer, attempt, $"{ex.GetType().Name}: {ex.Message}");
            throw;
        }
    }
}
