using Platform.Messaging;
using Wsis.Contracts.Events;

namespace Wsis.Reporting.IntegrationEvents;

/// <summary>
/// Feeds Reporting's read models from Teams' and Consultations' events. Runs in the inbox's
/// transaction (Platform.Messaging): the row changes and the inbox record commit together.
/// </summary>
public sealed partial class ReadModelEventHandler(ReadModelProjection projection, ILogger<ReadModelEventHandler> logger) :
    IIntegrationEventHandler<StakeholderRegistered>,
    IIntegrationEventHandler<TeamCreated>,
    IIntegrationEventHandler<CoordinatorDesignated>,
    IIntegrationEventHandler<CoordinatorsMeetingConvened>,
    IIntegrationEventHandler<OfficersElected>,
    IIntegrationEventHandler<StocktakingProceduresSet>,
    IIntegrationEventHandler<ConsultationOpened>,
    IIntegrationEventHandler<ResponsePublished>,
    IPrepareIntegrationEvents<ResponsePublished>,
    IIntegrationEventHandler<ConsultationClosed>,
    IIntegrationEventHandler<ConsultationResultsPublished>
{
    public async Task HandleAsync(StakeholderRegistered e, IntegrationEventContext c, CancellationToken ct) =>
        Log(nameof(StakeholderRegistered), e.EventId, await projection.ApplyAsync(e.ToFact(), ct));

    public async Task HandleAsync(TeamCreated e, IntegrationEventContext c, CancellationToken ct) =>
        Log(nameof(TeamCreated), e.EventId, await projection.ApplyAsync(e.ToFact(), ct));

    public async Task HandleAsync(CoordinatorDesignated e, IntegrationEventContext c, CancellationToken ct) =>
        Log(nameof(CoordinatorDesignated), e.EventId, await projection.ApplyAsync(e.ToFact(), ct));

    public async Task HandleAsync(CoordinatorsMeetingConvened e, IntegrationEventContext c, CancellationToken ct) =>
        Log(nameof(CoordinatorsMeetingConvened), e.EventId, await projection.ApplyAsync(e.ToFact(), ct));

    public async Task HandleAsync(OfficersElected e, IntegrationEventContext c, CancellationToken ct) =>
        Log(nameof(OfficersElected), e.EventId, await projection.ApplyAsync(e.ToFact(), ct));

    public async Task HandleAsync(StocktakingProceduresSet e, IntegrationEventContext c, CancellationToken ct) =>
        Log(nameof(StocktakingProceduresSet), e.EventId, await projection.ApplyAsync(e.ToFact(), ct));

    public async Task HandleAsync(ConsultationOpened e, IntegrationEventContext c, CancellationToken ct) =>
        Log(nameof(ConsultationOpened), e.EventId, await projection.ApplyAsync(e.ToFact(), ct));

    public async Task HandleAsync(ResponsePublished e, IntegrationEventContext c, CancellationToken ct) =>
        Log(nameof(ResponsePublished), e.EventId, await projection.ApplyAsync(e.ToFact(), ct));

    public Task PrepareAsync(IReadOnlyCollection<ResponsePublished> events, CancellationToken ct) =>
        projection.PrepareAsync(events.Select(e => e.ToFact()).ToList(), ct);

    public async Task HandleAsync(ConsultationClosed e, IntegrationEventContext c, CancellationToken ct) =>
        Log(nameof(ConsultationClosed), e.EventId, await projection.ApplyAsync(e.ToFact(), ct));

    public async Task HandleAsync(ConsultationResultsPublished e, IntegrationEventContext c, CancellationToken ct) =>
        Log(nameof(ConsultationResultsPublished), e.EventId, await projection.ApplyAsync(e.ToFact(), ct));

    private void Log(string eventType, Guid eventId, bool changed)
    {
        if (changed) LogApplied(logger, eventType, eventId);
        else LogUnchanged(logger, eventType, eventId);
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Debug, Message = "{EventType} {EventId} applied to the read model")]
    private static partial void LogApplied(ILogger logger, string eventType, Guid eventId);

    // Not an error: an older designation or election arriving after a newer one is expected.
    [LoggerMessage(EventId = 7002, Level = LogLevel.Debug, Message = "{EventType} {EventId} changed nothing (duplicate or superseded)")]
    private static partial void LogUnchanged(ILogger logger, string eventType, Guid eventId);
}
