using Platform.Messaging;
using Wsis.Consultations.Data;

namespace Wsis.Consultations.IntegrationEvents;

/// <summary>
/// Where the service's events go: Platform.Messaging's transactional outbox, saved by the same
/// SaveChanges (and transaction) as the state change and published after commit. Events of one
/// consultation share an ordering key, so subscribers see Opened, Published…, Closed in order.
/// </summary>
internal static class IntegrationEventOutbox
{
    public static void Add<TEvent>(ConsultationsDbContext db, TEvent integrationEvent, string consultationId)
        where TEvent : class =>
        db.AddIntegrationEvent(integrationEvent, aggregateKey: "consultation:" + consultationId);
}
