using Wsis.Reporting.Data;

namespace Wsis.Reporting.Grpc;

/// <summary>Raises Reporting's integration events in the same unit of work as the change they report.</summary>
internal static class ReportingOutbox
{
    public static void Raise<TEvent>(ReportingDbContext db, TEvent integrationEvent, string aggregateKey) where TEvent : class
    {
        // TODO(messaging): db.AddIntegrationEvent(integrationEvent, aggregateKey) once Platform.Messaging lands in main.
        _ = db;
        _ = integrationEvent;
        _ = aggregateKey;
    }
}
