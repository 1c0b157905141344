namespace Wsis.Reporting.Model;

/// <summary>A team, its action line, and the entity currently designated to coordinate it, as Teams' events told Reporting.</summary>
public sealed class TeamCoordination
{
    private TeamCoordination() { TeamId = ""; }

    public string TeamId { get; private set; }
    public string? ActionLineCode { get; private set; }
    public string? CoordinatorId { get; private set; }
    public string? DecisionReference { get; private set; }
    public Instant? DesignatedAt { get; private set; }
    public Guid? DesignationEventId { get; private set; }

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

    /// <summary>"Team 1f2e… (C2)", or the id alone while the action line is unknown.</summary>
    public string Name => ActionLineCode is null ? $"team {TeamId}" : $"team {TeamId} ({ActionLineCode})";
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

    /// <summary>
    /// The coordinator "organises the work of the team" (WSIS implementation mechanism), so only the
    /// entity the UN Secretary-General designated for the team submits its contribution: a
    /// coordinator token (role coordinator) whose org is that entity. A team Reporting has not heard
    /// of, or one it knows without a designation, may have just been given one in Teams: that is
    /// UNAVAILABLE with a retry hint; a designation of another organisation is a refusal.
    /// </summary>
    public TeamCoordination RequireDesignatedCoordinator(string teamId, Actor actor)
    {
        const string Rule = "only the designated coordinator of a team (role coordinator, org = the designated stakeholder) may submit its contribution";
        if (actor.CoordinatorOrganisation is not { } org)
            throw DomainException.PermissionDenied($"{Rule}; the token carries no coordinator organisation");
        var team = Find(teamId);
        if (team is null)
        {
            throw EventLag.NotYetKnown(
                $"Reporting has not heard of team {teamId} yet: Teams' TeamCreated and CoordinatorDesignated reach it within a second of the change; retry shortly, and check team_id if this persists");
        }

        if (team.CoordinatorId is null)
        {
            throw EventLag.NotYetKnown(
                $"{team.Name} has no designated coordinator in Reporting yet: if Teams has just recorded the designation of stakeholder {org} (RecordCoordinatorDesignation), its CoordinatorDesignated event is on its way; retry shortly");
        }

        if (team.CoordinatorId != org)
        {
            throw DomainException.PermissionDenied(
                $"{Rule}: {team.Name} is coordinated by stakeholder {team.CoordinatorId}{(team.DecisionReference is { } d ? $" (designation {d})" : "")}, and the token acts for stakeholder {org}");
        }

        return team;
    }

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
