namespace Wsis.Reporting.Model;

/// <summary>A team, its action line, and the entity currently designated to coordinate it.</summary>
public sealed class TeamCoordination
{
    public string TeamId { get; set; } = "";
    public string? ActionLineCode { get; set; }
    public string? CoordinatorId { get; set; }
    public string? DecisionReference { get; set; }
    public DateTimeOffset? DesignatedAt { get; set; }
    public Guid? DesignationEventId { get; set; }

    public static TeamCoordination For(string teamId) => new() { TeamId = teamId };

    /// <summary>A team's action line never changes; the event may arrive after a designation.</summary>
    public bool Apply(TeamCreation e)
    {
        var code = ActionLines.Normalize(e.ActionLineCode);
        if (ActionLineCode == code) return false;
        ActionLineCode = code;
        return true;
    }

    /// <summary>
    /// A team has one designated coordinator at a time and a new designation ends the previous
    /// one. "New" means the later decision, not the later delivery: an older designation that
    /// arrives late, or a duplicate, changes nothing.
    /// </summary>
    public bool Apply(CoordinatorDesignation e)
    {
        var changed = false;
        if (ActionLineCode is null && !string.IsNullOrWhiteSpace(e.ActionLineCode))
        {
            ActionLineCode = ActionLines.Normalize(e.ActionLineCode);
            changed = true;
        }
        if (!Revision.Supersedes(new(e.OccurredAt, e.EventId), DesignatedAt, DesignationEventId)) return changed;
        CoordinatorId = e.CoordinatorId;
        DecisionReference = e.DecisionReference;
        DesignatedAt = e.OccurredAt;
        DesignationEventId = e.EventId;
        return true;
    }
}

/// <summary>Who coordinates which team (and so which action line).</summary>
public sealed class CoordinationRegister
{
    private readonly Dictionary<string, TeamCoordination> teams = new(StringComparer.Ordinal);

    public CoordinationRegister() { }

    public CoordinationRegister(IEnumerable<TeamCoordination> stored)
    {
        foreach (var t in stored) teams[t.TeamId] = t;
    }

    public IReadOnlyCollection<TeamCoordination> Teams => teams.Values;

    public bool Apply(TeamCreation e) => Get(e.TeamId).Apply(e);

    public bool Apply(CoordinatorDesignation e) => Get(e.TeamId).Apply(e);

    public TeamCoordination? Find(string teamId) => teams.GetValueOrDefault(teamId);

    public bool IsDesignatedCoordinator(string teamId, string stakeholderId) =>
        Find(teamId)?.CoordinatorId == stakeholderId;

    /// <summary>The team of an action line (one team per line), if Reporting has heard of it.</summary>
    public TeamCoordination? ForActionLine(string code) =>
        teams.Values.Where(t => t.ActionLineCode == ActionLines.Normalize(code))
            .OrderBy(t => t.TeamId, StringComparer.Ordinal).FirstOrDefault();

    private TeamCoordination Get(string teamId)
    {
        if (!teams.TryGetValue(teamId, out var team)) teams[teamId] = team = TeamCoordination.For(teamId);
        return team;
    }
}
