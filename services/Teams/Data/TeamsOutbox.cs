namespace Wsis.Teams.Data;

/// <summary>
/// Integration events raised by the current request; they are written beside the state change in
/// the same transaction (the platform's transactional outbox) when the request saves.
/// </summary>
public sealed class TeamsOutbox(TeamsDbContext db)
{
    public void Raise<TEvent>(TEvent integrationEvent) where TEvent : class
    {
        db.PendingEvents.Add(integrationEvent);
    }
}
