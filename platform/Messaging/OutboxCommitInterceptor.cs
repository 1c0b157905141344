using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Platform.Messaging;

/// <summary>
/// Wakes the dispatcher as soon as outbox rows are committed in this process, so the commit → publish
/// lag is not the poll interval. Polling still finds rows committed by other processes.
/// </summary>
internal sealed class OutboxCommitInterceptor<TDbContext>(OutboxSignal<TDbContext> signal) : ISaveChangesInterceptor, IDbTransactionInterceptor, OutboxCommitInterceptor.IMarkPending
    where TDbContext : DbContext
{
    private static readonly object Pending = new();
    private readonly ConditionalWeakTable<DbContext, object> _pending = new();

    /// <summary>Outbox rows were written to <paramref name="context"/>'s transaction without SaveChanges.</summary>
    public void MarkPending(DbContext context) => _pending.AddOrUpdate(context, Pending);

    private void Saving(DbContext? context)
    {
        if (context is not null && context.ChangeTracker.Entries<OutboxMessage>().Any(e => e.State == EntityState.Added))
        {
            _pending.AddOrUpdate(context, Pending);
        }
    }

    private void Saved(DbContext? context)
    {
        if (context is not null && context.Database.CurrentTransaction is null && _pending.Remove(context))
        {
            signal.Raise();
        }
    }

    private void Committed(DbContext? context)
    {
        if (context is not null && _pending.Remove(context))
        {
            signal.Raise();
        }
    }

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Saving(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Saving(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saved(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Saved(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Committed(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Committed(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is not null)
        {
            _pending.Remove(eventData.Context);
        }
    }

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionRolledBack(transaction, eventData);
        return Task.CompletedTask;
    }
}

/// <summary>Reaches the context's <see cref="OutboxCommitInterceptor{TDbContext}"/> for rows written without SaveChanges.</summary>
internal static class OutboxCommitInterceptor
{
    internal interface IMarkPending
    {
        void MarkPending(DbContext context);
    }

    /// <summary>The next commit of <paramref name="db"/>'s transaction wakes its dispatcher (if the context has one).</summary>
    public static void MarkPending(DbContext db)
    {
        var interceptors = db.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.Interceptors;
        foreach (var marker in interceptors?.OfType<IMarkPending>() ?? [])
        {
            marker.MarkPending(db);
        }
    }
}
