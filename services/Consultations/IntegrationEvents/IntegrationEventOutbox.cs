using Wsis.Consultations.Data;

namespace Wsis.Consultations.IntegrationEvents;

/// <summary>
/// Where the service's events go: the transactional outbox, saved with the state change.
/// (Wired to Platform.Messaging's outbox once it is merged; until then events are not recorded.)
/// </summary>
internal static class IntegrationEventOutbox
{
    public static void Add<TEvent>(ConsultationsDbContext db, TEvent integrationEvent)
        where TEvent : class
    {
        _ = db;
        _ = integrationEvent;
    }
}
