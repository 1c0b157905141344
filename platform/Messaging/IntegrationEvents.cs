using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace Platform.Messaging;

/// <summary>Raising integration events inside the service's own unit of work.</summary>
public static class IntegrationEvents
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly ConcurrentDictionary<Type, Func<object, Guid>?> EventIdReaders = new();
    private static readonly ConcurrentDictionary<string, Type> TypesByName = new();

    /// <summary>
    /// Adds <paramref name="integrationEvent"/> to the outbox of <paramref name="db"/>. It is stored
    /// by the next SaveChanges, in the same transaction as the state change, and published after
    /// commit. Events with the same <paramref name="aggregateKey"/> are published in commit order.
    /// The message id is the event's <c>Guid EventId</c> property when it has one.
    /// </summary>
    public static OutboxMessage AddIntegrationEvent<TEvent>(this DbContext db, TEvent integrationEvent, string? aggregateKey = null)
        where TEvent : class
    {
        var message = OutboxMessageFor(integrationEvent, aggregateKey);
        db.Set<OutboxMessage>().Add(message);
        return message;
    }

    /// <summary>
    /// The statement storing <paramref name="messages"/> (made by <see cref="OutboxMessageFor"/>)
    /// in the outbox of <paramref name="db"/> in one INSERT, for a batch written on PostgreSQL with
    /// <see cref="Platform.Data.PostgresBulkInsert"/> instead of SaveChanges. Run it in the
    /// transaction of <paramref name="db"/> and commit that transaction through the context
    /// (<c>IDbContextTransaction.CommitAsync</c>): the commit wakes the dispatcher as SaveChanges' would.
    /// </summary>
    public static Npgsql.NpgsqlBatchCommand OutboxInsertCommand(this DbContext db, IReadOnlyList<OutboxMessage> messages)
    {
        var command = Platform.Data.PostgresBulkInsert.Command(db, messages);
        OutboxCommitInterceptor.MarkPending(db);
        return command;
    }

    /// <summary>
    /// The outbox row for <paramref name="integrationEvent"/>, not yet added anywhere. The message
    /// id is the event's <c>Guid EventId</c> property when it has one. The row continues the
    /// current trace (<see cref="MessagingTelemetry"/>).
    /// </summary>
    public static OutboxMessage OutboxMessageFor<TEvent>(TEvent integrationEvent, string? aggregateKey = null)
        where TEvent : class =>
        OutboxMessageFor(integrationEvent, aggregateKey, MessagingTelemetry.CurrentContext());

    /// <summary>
    /// The outbox row for an event raised in <paramref name="raisedIn"/>: for a writer that stores
    /// events on behalf of callers whose activity is not current where it writes (a group commit),
    /// which takes <see cref="MessagingTelemetry.CurrentContext"/> from each caller.
    /// </summary>
    public static OutboxMessage OutboxMessageFor<TEvent>(TEvent integrationEvent, string? aggregateKey, ActivityContext raisedIn)
        where TEvent : class
    {
        ArgumentNullException.ThrowIfNull(integrationEvent);
        var type = integrationEvent.GetType();
        var message = new OutboxMessage
        {
            MessageId = MessageIdOf(integrationEvent, type),
            MessageType = NameOf(type),
            Payload = JsonSerializer.Serialize(integrationEvent, type, Json),
            AggregateKey = aggregateKey,
            CreatedAt = DateTime.UtcNow,
        };
        MessagingTelemetry.Stamp(message, raisedIn);
        return message;
    }

    /// <summary>"Namespace.Type, Assembly": stable across versions of the contracts assembly.</summary>
    internal static string NameOf(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";

    internal static Type TypeOf(string name) =>
        TypesByName.GetOrAdd(name, n => Type.GetType(n, throwOnError: false)
            ?? throw new InvalidOperationException($"Event type '{n}' is not loaded in this process."));

    internal static object Deserialize(OutboxMessage message, Type type) =>
        JsonSerializer.Deserialize(message.Payload, type, Json)
            ?? throw new InvalidOperationException($"Outbox row {message.Sequence} has an empty payload.");

    private static Guid MessageIdOf(object integrationEvent, Type type)
    {
        var reader = EventIdReaders.GetOrAdd(type, static t =>
        {
            var property = t.GetProperty("EventId", BindingFlags.Public | BindingFlags.Instance);
            return property?.PropertyType == typeof(Guid) ? e => (Guid)property.GetValue(e)! : null;
        });
        var id = reader?.Invoke(integrationEvent) ?? Guid.Empty;
        return id == Guid.Empty ? Guid.NewGuid() : id;
    }
}

/// <summary>
/// Handles one integration event type. Runs inside a transaction on the service's DbContext (the
/// scoped instance, shared with the other messages applied in the same batch): its changes and the
/// inbox record commit together, so a redelivered message changes nothing. Save nothing yourself,
/// and look rows up with <c>Find</c> (it sees rows an earlier message of the batch added). Throwing
/// rolls everything back; the message is retried alone with back-off and then moved to the error queue.
/// </summary>
public interface IIntegrationEventHandler<in TEvent>
    where TEvent : class
{
    Task HandleAsync(TEvent integrationEvent, IntegrationEventContext context, CancellationToken cancellationToken);
}

/// <summary>
/// Optional for a handler: called once per inbox batch with the events of this type about to be
/// handled in it (duplicates already removed), before any of them, in the same transaction and
/// scope. Load what they need in one query (tracked), so each <see cref="IIntegrationEventHandler{TEvent}.HandleAsync"/>
/// finds it without a round trip of its own. It must not change anything.
/// </summary>
public interface IPrepareIntegrationEvents<in TEvent>
    where TEvent : class
{
    Task PrepareAsync(IReadOnlyCollection<TEvent> integrationEvents, CancellationToken cancellationToken);
}

/// <summary>What a handler may want to know about the delivery.</summary>
public sealed record IntegrationEventContext(Guid MessageId, DateTime? SentAt, int Attempt);
