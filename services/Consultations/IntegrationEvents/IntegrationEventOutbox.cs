using Platform.Messaging;
using Wsis.Consultations.Data;

namespace Wsis.Consultations.IntegrationEvents;

/// <summary>
/// Where the service's events go: Platform.Messaging's transactional outbox, saved by the same
/// SaveChanges (and transaction) as the state change and published after commit. A consultation's
/// own events (Opened, Closed, ResultsPublished) share an ordering key, so subscribers see them in
/// that order. ResponsePublished events carry no ordering key: they are published side by side
/// (a deadline rush brings thousands a second), so a subscriber may see them in any order, also
/// after the consultation's Closed; Closed's count and digest tell it when it has them all.
/// </summary>
internal static class IntegrationEventOutbox
{
    public static void Add<TEvent>(ConsultationsDbContext db, TEvent integrationEvent, string consultationId)
        where TEvent : class =>
        db.AddIntegrationEvent(integrationEvent, aggregateKey: "consultation:" + consultationId);

    /// <summary>A response's event: unordered (see the class remarks).</summary>
    public static void AddResponsePublished(ConsultationsDbContext db, Wsis.Contracts.Events.ResponsePublished integrationEvent) =>
        db.AddIntegrationEvent(integrationEvent, aggregateKey: null);

    /// <summary>
    /// A response's outbox row for the intake's group commit, which writes it for a submitter whose
    /// call raised it in <paramref name="raisedIn"/> (its trace), not in the writer loop's.
    /// </summary>
    public static OutboxMessage ResponsePublishedRow(Wsis.Contracts.Events.ResponsePublished integrationEvent, System.Diagnostics.ActivityContext raisedIn) =>
        Platform.Messaging.IntegrationEvents.OutboxMessageFor(integrationEvent, aggregateKey: null, raisedIn);
}
