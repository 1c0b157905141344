namespace Wsis.Reporting.Model;

/// <summary>A meeting of coordinators of multi-stakeholder teams and the officers it elected.</summary>
public sealed class CoordinatorsMeetingRecord
{
    private CoordinatorsMeetingRecord() { MeetingId = ""; }

    public string MeetingId { get; private set; }
    public Instant? StartsAt { get; private set; }
    public string? ChairId { get; private set; }
    public IReadOnlyList<string> ViceChairIds { get; private set; } = [];
    public Instant? ElectedAt { get; private set; }
    public Guid? ElectionEventId { get; private set; }

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
        ViceChairIds = e.ViceChairIds.Where(id => id.Length > 0).Distinct().ToList();
        ChairId = string.IsNullOrEmpty(e.ChairId) ? null : e.ChairId;
        ElectedAt = e.OccurredAt;
        ElectionEventId = e.EventId;
        return true;
    }

    public bool HasOfficers => ElectedAt is not null;

    /// <summary>
    /// Where the meeting stands among the others: by its start, or, while its convening event has not
    /// arrived, by its election, which is never earlier than its start.
    /// </summary>
    internal Instant? Order => StartsAt ?? ElectedAt;
}

public sealed record Officers(string MeetingId, string? ChairId, IReadOnlyList<string> ViceChairIds)
{
    public bool Includes(string stakeholderId) => ChairId == stakeholderId || ViceChairIds.Contains(stakeholderId);

    public override string ToString() =>
        $"chair {ChairId ?? "none (tie)"}, vice-chairs {(ViceChairIds.Count == 0 ? "none" : string.Join(", ", ViceChairIds))}";
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
            var latest = LatestWithOfficers;
            return latest is null ? null : new Officers(latest.MeetingId, latest.ChairId, latest.ViceChairIds);
        }
    }

    public bool IsOfficer(string stakeholderId) => Current?.Includes(stakeholderId) ?? false;

    /// <summary>
    /// The chair or a vice-chair of the coordinators' meeting "reports periodically to the UN
    /// Secretary-General": an officer in office (role coordinator, org = an elected officer) may
    /// <paramref name="what"/>. While Reporting knows a meeting newer than the one whose officers it
    /// holds, and not yet that meeting's election result (or knows no election at all), the caller may
    /// have just been elected: UNAVAILABLE with a retry hint. Otherwise a caller outside the officers
    /// in office is refused.
    /// </summary>
    public Officers RequireOfficer(Actor actor, string what)
    {
        var rule = $"only the chair or a vice-chair of the coordinators' meeting (role coordinator, org = an elected officer) may {what}";
        if (actor.CoordinatorOrganisation is not { } org)
            throw DomainException.PermissionDenied($"{rule}; the token carries no coordinator organisation");
        var current = Current;
        if (current is not null && current.Includes(org)) return current;
        if (AwaitedElection(current) is { } awaited)
        {
            throw EventLag.NotYetKnown(
                $"the officers elected by coordinators' meeting {awaited.MeetingId} have not reached Reporting yet: if Teams has just closed its election (CloseElection), OfficersElected is on its way; retry shortly");
        }

        if (current is null)
        {
            throw EventLag.NotYetKnown(
                "Reporting knows no election of officers of the coordinators' meeting yet: if Teams has just closed one (CloseElection), OfficersElected is on its way; retry shortly");
        }

        throw DomainException.PermissionDenied($"{rule}: the officers elected by meeting {current.MeetingId} are {current}, and the token acts for stakeholder {org}");
    }

    /// <summary>The officers' rule with the secretariat allowed too: who compiles reports, and so reads their drafts.</summary>
    public void RequireOfficerOrSecretariat(Actor actor, string what)
    {
        if (actor.IsSecretariat) return;
        if (actor.CoordinatorOrganisation is null)
        {
            throw DomainException.PermissionDenied(
                $"only the chair or a vice-chair of the coordinators' meeting (role coordinator, org = an elected officer) or the secretariat may {what}");
        }

        RequireOfficer(actor, what);
    }

    /// <summary>Whether the caller compiles reports as far as Reporting knows now (no waiting: a listing just leaves drafts out).</summary>
    public bool IsOfficerOrSecretariat(Actor actor) =>
        actor.IsSecretariat || (actor.CoordinatorOrganisation is { } org && IsOfficer(org));

    private CoordinatorsMeetingRecord? LatestWithOfficers =>
        meetings.Values.Where(m => m.HasOfficers)
            .OrderByDescending(m => m.Order)
            .ThenByDescending(m => m.ElectedAt)
            .ThenByDescending(m => m.MeetingId, StringComparer.Ordinal)
            .FirstOrDefault();

    /// <summary>A convened meeting newer than the one in office whose election result Reporting has not seen.</summary>
    private CoordinatorsMeetingRecord? AwaitedElection(Officers? current)
    {
        var inOffice = current is null ? null : meetings[current.MeetingId].Order;
        return meetings.Values
            .Where(m => !m.HasOfficers && m.StartsAt is { } starts && (inOffice is null || starts > inOffice))
            .OrderByDescending(m => m.StartsAt)
            .FirstOrDefault();
    }

    private CoordinatorsMeetingRecord Get(string id)
    {
        if (!meetings.TryGetValue(id, out var m)) meetings[id] = m = CoordinatorsMeetingRecord.For(id);
        return m;
    }
}
