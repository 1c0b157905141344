namespace Wsis.Reporting.Model;

/// <summary>A meeting of coordinators of multi-stakeholder teams and the officers it elected.</summary>
public sealed class CoordinatorsMeetingRecord
{
    public string MeetingId { get; set; } = "";
    public DateTimeOffset? StartsAt { get; set; }
    public string? ChairId { get; set; }
    public List<string> ViceChairIds { get; set; } = [];
    public DateTimeOffset? ElectedAt { get; set; }
    public Guid? ElectionEventId { get; set; }

    public static CoordinatorsMeetingRecord For(string meetingId) => new() { MeetingId = meetingId };

    public bool Apply(CoordinatorsMeetingConvening e)
    {
        if (StartsAt == e.StartsAt) return false;
        StartsAt = e.StartsAt;
        return true;
    }

    /// <summary>The latest election of a meeting stands (a re-run replaces the first result).</summary>
    public bool Apply(OfficerElection e)
    {
        if (!Revision.Supersedes(new(e.OccurredAt, e.EventId), ElectedAt, ElectionEventId)) return false;
        ChairId = e.ChairId;
        ViceChairIds = e.ViceChairIds.Where(id => id.Length > 0).Distinct().ToList();
        ChairId = string.IsNullOrEmpty(e.ChairId) ? null : e.ChairId;
        ElectedAt = e.OccurredAt;
        ElectionEventId = e.EventId;
        return true;
    }

    public bool HasOfficers => ElectedAt is not null;
}

public sealed record Officers(string MeetingId, string? ChairId, IReadOnlyList<string> ViceChairIds)
{
    public bool Includes(string stakeholderId) => ChairId == stakeholderId || ViceChairIds.Contains(stakeholderId);
}

/// <summary>The officers of the coordinators' meeting: the chair and vice-chairs most recently elected.</summary>
public sealed class OfficerRegister
{
    private readonly Dictionary<string, CoordinatorsMeetingRecord> meetings = new(StringComparer.Ordinal);

    public OfficerRegister() { }

    public OfficerRegister(IEnumerable<CoordinatorsMeetingRecord> stored)
    {
        foreach (var m in stored) meetings[m.MeetingId] = m;
    }

    public IReadOnlyCollection<CoordinatorsMeetingRecord> Meetings => meetings.Values;

    public bool Apply(CoordinatorsMeetingConvening e) => Get(e.MeetingId).Apply(e);

    public bool Apply(OfficerElection e) => Get(e.MeetingId).Apply(e);

    /// <summary>
    /// The officers in office: those of the latest meeting (by its start) that elected any. A meeting
    /// whose convening event has not arrived yet is placed by its election time, which is never
    /// earlier than its start, so a late convening event cannot demote a newer meeting's officers.
    /// </summary>
    public Officers? Current
    {
        get
        {
            var latest = meetings.Values.Where(m => m.HasOfficers)
                .OrderByDescending(m => (m.StartsAt ?? m.ElectedAt!.Value).UtcDateTime)
                .ThenByDescending(m => m.ElectedAt!.Value.UtcDateTime)
                .ThenByDescending(m => m.MeetingId, StringComparer.Ordinal)
                .FirstOrDefault();
            return latest is null ? null : new Officers(latest.MeetingId, latest.ChairId, latest.ViceChairIds);
        }
    }

    public bool IsOfficer(string stakeholderId) => Current?.Includes(stakeholderId) ?? false;

    private CoordinatorsMeetingRecord Get(string id)
    {
        if (!meetings.TryGetValue(id, out var m)) meetings[id] = m = CoordinatorsMeetingRecord.For(id);
        return m;
    }
}
