using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;
using Platform.Data;
using Wsis.Consultations.Data;
using Wsis.Consultations.Model;

namespace Wsis.Consultations.Log;

/// <summary>
/// Keeps every open consultation's log complete and in receipt order when the log is switched on:
/// as the service starts (after the migrations, before the server takes a submission), the published
/// responses of open consultations that are not in their log (stored while
/// <c>Consultations:Log:Enabled</c> was false, or before the log existed) enter it in receipt order,
/// ahead of every response received from then on. Each consultation in its own transaction holding
/// the consultation's row exclusively, as the close does: intake transactions (which hold it in share
/// mode) wait, and instances starting together enter each response once.
/// </summary>
/// <remarks>
/// Closed consultations are left as they are: the close already entered their responses (their
/// final checkpoint is their digest). Every instance must run with the same <c>Log:Enabled</c>: an
/// instance with the log off storing responses while another with it on appends would leave them
/// to the close, after later ones.
/// </remarks>
internal sealed partial class LogBackfill(
    IServiceScopeFactory scopes, IOptions<ConsultationsOptions> options, LogSigningKey key, TimeProvider time, ILogger<LogBackfill> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Log.Enabled)
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsultationsDbContext>();
        await EnterUnloggedAsync(db, key, Instant.FromDateTimeOffset(time.GetUtcNow()), logger, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Enters every open consultation's unlogged published responses; returns how many.</summary>
    internal static async Task<int> EnterUnloggedAsync(ConsultationsDbContext db, LogSigningKey key, Instant now, ILogger logger, CancellationToken cancellationToken)
    {
        // Open consultations only, each looked up through its responses' (ConsultationId, Published, ReceivedAt) index: a start
        // costs a query per open consultation, not a scan of every response ever received.
        var openIds = await db.Consultations.AsNoTracking()
            .Where(c => c.State == ConsultationState.Open)
            .Select(c => c.Id).ToListAsync(cancellationToken);
        var entered = 0;
        foreach (var id in openIds.Order())
        {
            if (!await db.Responses.AnyAsync(r => r.ConsultationId == id && r.Leaf == null && r.Published, cancellationToken))
            {
                continue;
            }

            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginAllOrNothingAsync(cancellationToken);
            var open = await db.Consultations
                .Where(c => c.Id == id && c.State == ConsultationState.Open)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.State, c => c.State), cancellationToken);
            if (open == 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                continue;
            }

            var count = await LogAppender.EnterUnloggedAsync(db, id, key, now, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            if (count > 0)
            {
                LogEntered(logger, id, count);
                entered += count;
            }
        }

        return entered;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Consultation {ConsultationId}: {Count} published response(s) not in the log yet entered it in receipt order")]
    private static partial void LogEntered(ILogger logger, Guid consultationId, int count);
}
