using Platform.Messaging;

namespace Wsis.Teams.Data;

/// <summary>
/// Integration events raised by the current request; they are written beside the state change in
/// the same transaction (the platform's transactional outbox) when the request saves.
/// </summary>
public sealed class TeamsOutbox(TeamsDbContext db)
{
    /// <param name="aggregateKey">Events of one aggregate (a team, a meeting) are published in commit order.</param>
    public void Raise<TEvent>(TEvent integrationEvent, string aggregateKey) where TEvent : class
    {
        db.AddIntegrationEvent(integrationEvent, aggregateKey);
    }
}
