namespace Wsis.Reporting.Model;

/// <summary>What Reporting knows about a registered stakeholder: enough to count by category and country.</summary>
public sealed class StakeholderRecord
{
    private StakeholderRecord() { StakeholderId = Name = ""; }

    public string StakeholderId { get; private set; }
    public string Name { get; private set; }
    public StakeholderCategory Category { get; private set; }
    public string? CountryCode { get; private set; }
    public Instant RevisionAt { get; private set; }
    public Guid RevisionEventId { get; private set; }

    public static StakeholderRecord For(string id) => new() { StakeholderId = id };

    /// <summary>Last writer (by occurrence) wins; returns whether anything changed.</summary>
    public bool Apply(StakeholderRegistration e)
    {
        if (RevisionEventId != Guid.Empty &&
            !Revision.Supersedes(new(e.OccurredAt, e.EventId), RevisionAt, RevisionEventId))
        {
            return false;
        }

        Name = e.Name;
        Category = e.Category;
        CountryCode = e.CountryCode;
        RevisionAt = e.OccurredAt;
        RevisionEventId = e.EventId;
        return true;
    }
}

public sealed class StakeholderDirectory
{
    private readonly Dictionary<string, StakeholderRecord> records = new(StringComparer.Ordinal);

    public StakeholderDirectory() { }

    public StakeholderDirectory(IEnumerable<StakeholderRecord> stored)
    {
        foreach (var r in stored) records[r.StakeholderId] = r;
    }

    public IReadOnlyCollection<StakeholderRecord> Records => records.Values;

    public bool Apply(StakeholderRegistration e)
    {
        if (!records.TryGetValue(e.StakeholderId, out var record))
            records[e.StakeholderId] = record = StakeholderRecord.For(e.StakeholderId);
        return record.Apply(e);
    }

    public StakeholderRecord? Find(string id) => records.GetValueOrDefault(id);
}
