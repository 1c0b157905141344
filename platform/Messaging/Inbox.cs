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

    public void Connect(IReceiveEndpointConfigurator endpoint, IServiceProvider services, string endpointName)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger($"Platform.Messaging.Inbox.{typeof(TEvent).Name}");
        var options = services.GetRequiredService<IOptionsMonitor<MessagingOptions>>().Get(typeof(TDbContext).FullName);
        endpoint.Handler<TEvent>(context => HandleThroughOutagesAsync(context, services, endpointName, logger, options));
    }

    /// <summary>
    /// While the database is unreachable the message stays unacknowledged and is tried again every
    /// <see cref="MessagingOptions.ConsumerOutageRetryInterval"/>, so an outage longer than the
    /// ordinary retries does not send it to the error queue.
    /// </summary>
    private async Task HandleThroughOutagesAsync(ConsumeContext<TEvent> context, IServiceProvider services, string endpointName, ILogger logger, MessagingOptions options)
    {
        for (var round = 1; ; round++)
        {
            try
            {
                await HandleAsync(context, services, endpointName, logger);
                return;
            }
            catch (Exception ex) when (round <= options.ConsumerOutageRetryLimit && Platform.Data.TransientFailures.IsTransient(ex) && !context.CancellationToken.IsCancellationRequested)
            {
                await Task.Delay(options.ConsumerOutageRetryInterval, context.CancellationToken);
            }
        }
    }

    /// <summary>
    /// Applies the message at most once: inbox row and handler effect commit in one transaction;
    /// MassTransit acknowledges the delivery only after this returns, i.e. after the commit.
    /// </summary>
    private async Task HandleAsync(ConsumeContext<TEvent> context, IServiceProvider services, string endpointName, ILogger logger)
    {
        var messageId = context.MessageId
            ?? throw new InvalidOperationException("The message has no MessageId; it cannot be deduplicated.");
        var attempt = context.GetRetryAttempt() + 1;
        var tag = MessagingMetrics.Tag(endpointName);
        if (attempt == 1)
        {
            MessagingMetrics.Delivered.Add(1, tag);
        }
        var cancellationToken = context.CancellationToken;

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var inbox = db.Set<InboxMessage>();
        try
        {
            // A broker redelivery or a retry is likely a duplicate: one cheap look first. Other
            // duplicates (the outbox published twice) are caught by the inbox key at commit.
            if ((context.ReceiveContext.Redelivered || attempt > 1) && await AlreadyAppliedAsync(inbox, messageId, cancellationToken))
            {
                Duplicate();
                return;
            }

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var handler = scope.ServiceProvider.GetRequiredService<THandler>();
            await handler.HandleAsync(context.Message, new IntegrationEventContext(messageId, context.SentTime, attempt), cancellationToken);
            // The inbox row and the effect in one statement batch and one commit. A concurrent
            // delivery of the same message blocks on this key until the first commits, then fails.
            inbox.Add(new InboxMessage { MessageId = messageId, Consumer = Consumer, ReceivedAt = DateTime.UtcNow });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                await transaction.RollbackAsync(cancellationToken);
                db.ChangeTracker.Clear();
                if (await AlreadyAppliedAsync(inbox, messageId, cancellationToken))
                {
                    Duplicate();
                    return;
                }
                throw;
            }
            MessagingMetrics.Applied.Add(1, tag);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            MessagingMetrics.Failed.Add(1, tag);
            Log.HandlerFailed(logger, endpointName, messageId, Consumer, attempt, $"{ex.GetType().Name}: {ex.Message}");
            throw;
        }

        void Duplicate()
        {
            MessagingMetrics.Duplicates.Add(1, tag);
            Log.DuplicateIgnored(logger, endpointName, messageId, Consumer);
        }
    }

    private Task<bool> AlreadyAppliedAsync(DbSet<InboxMessage> inbox, Guid messageId, CancellationToken cancellationToken) =>
        inbox.AnyAsync(i => i.MessageId == messageId && i.Consumer == Consumer, cancellationToken);
}
