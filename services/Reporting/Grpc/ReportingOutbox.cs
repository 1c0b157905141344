using Platform.Messaging;
using Wsis.Reporting.Data;

namespace Wsis.Reporting.Grpc;

/// <summary>Raises Reporting's integration events in the same unit of work as the change they report.</summary>
internal static class ReportingOutbox
{
    public static void Raise<TEvent>(ReportingDbContext db, TEvent integrationEvent, string aggregateKey) where TEvent : class =>
        db.AddIntegrationEvent(integrationEvent, aggregateKey);
}
