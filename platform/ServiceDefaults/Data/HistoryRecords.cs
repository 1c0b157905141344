using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Platform.Domain;

namespace Platform.Data;

/// <summary>
/// The histories the secretariat reads (<see cref="HistoryEntry"/>): mapped in a service's model with
/// <c>modelBuilder.AddHistory()</c>, saved by <see cref="HistoryCollector"/> with the change that
/// recorded them, read a page at a time with <see cref="ReadHistoryAsync"/>.
/// </summary>
public static class HistoryRecords
{
    public const string TableName = "HistoryEntries";

    /// <summary>
    /// Maps <see cref="HistoryEntry"/> to <see cref="TableName"/>: the key is a sequence the database
    /// gives (the order entries were written in, which UUID v7 ids made in one millisecond do not
    /// keep), and one index serves a subject's history in that order.
    /// </summary>
    public static ModelBuilder AddHistory(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<HistoryEntry>(e =>
        {
            e.ToTable(TableName);
            e.HasKey(h => h.Sequence);
            e.Property(h => h.Sequence).ValueGeneratedOnAdd();
            e.Property(h => h.SubjectKind).HasMaxLength(HistoryEntry.KindMax);
            e.Property(h => h.Action).HasMaxLength(HistoryEntry.ActionMax);
            e.Property(h => h.Detail).HasMaxLength(HistoryEntry.DetailMax);
            e.Property(h => h.ActorSubject).HasMaxLength(HistoryEntry.ActorMax);
            e.Property(h => h.ActorName).HasMaxLength(HistoryEntry.ActorMax);
            e.HasIndex(h => new { h.SubjectKind, h.SubjectId, h.Sequence });
        });
        return modelBuilder;
    }

    /// <summary>
    /// One page of a subject's history, oldest first, and the token of the next page (empty at the
    /// end). The token is the last entry's sequence, so a page deep in a long history costs what
    /// the first does.
    /// </summary>
    public static async Task<(IReadOnlyList<HistoryEntry> Entries, string NextPageToken)> ReadHistoryAsync(
        this DbContext db, string subjectKind, Guid subjectId, Paging page, CancellationToken ct)
    {
        var after = 0L;
        if (page.After is { } position && !long.TryParse(position, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out after))
        {
            throw DomainException.InvalidArgument("page_token is not a token this service issued");
        }

        var query = db.Set<HistoryEntry>().AsNoTracking()
            .Where(h => h.SubjectKind == subjectKind && h.SubjectId == subjectId && h.Sequence > after)
            .OrderBy(h => h.Sequence);
        var rows = await (page.After is null ? query.Skip(page.Offset) : query).Take(page.Size + 1).ToListAsync(ct);
        var entries = rows.Take(page.Size).ToList();
        var next = rows.Count > page.Size
            ? Paging.NextAfter(entries[^1].Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture))
            : "";
        return (entries, next);
    }
}

/// <summary>
/// Saves the history entries that tracked aggregates (<see cref="IRecordsHistory"/>) recorded, in
/// the SaveChanges that saves their change: one transaction for the change, its outbox events and
/// its history line. Stateless; every service database gets it (<c>AddServiceDatabase</c>).
/// </summary>
public sealed class HistoryCollector : SaveChangesInterceptor
{
    public static HistoryCollector Instance { get; } = new();

    private HistoryCollector() { }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Collect(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Collect(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private static void Collect(DbContext? db)
    {
        if (db is null || db.Model.FindEntityType(typeof(HistoryEntry)) is null)
        {
            return;
        }

        // Entries first, then added: adding to the context while enumerating its entries would change them.
        var entries = db.ChangeTracker.Entries<IRecordsHistory>()
            .Where(e => e.State is not EntityState.Detached)
            .SelectMany(e => e.Entity.TakeNewHistory())
            .ToList();
        if (entries.Count > 0)
        {
            db.Set<HistoryEntry>().AddRange(entries);
        }
    }
}
