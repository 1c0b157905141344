using NodaTime;

namespace Wsis.Teams.Model;

/// <summary>
/// The multi-stakeholder team of one action line: open to every stakeholder, coordinated by at
/// most one designated entity at a time, with its own coordination modalities.
/// </summary>
public sealed class Team : IRecordsHistory
{
    private readonly NewHistory _newHistory = new();
    private readonly List<TeamMembership> _memberships = [];
    private readonly List<CoordinatorDesignation> _designations = [];
    private readonly List<CoordinationModalities> _modalities = [];

    private Team() { ActionLineCode = CreatedBy = ""; }

    public Guid Id { get; private set; }
    public string ActionLineCode { get; private set; }
    public Instant CreatedAt { get; private set; }
    public string CreatedBy { get; private set; }

    /// <summary>Every join and leave, oldest first; a stakeholder that left and came back has two records.</summary>
    public IReadOnlyList<TeamMembership> Memberships => _memberships;
    public IEnumerable<TeamMembership> CurrentMembers => _memberships.Where(m => m.IsActive);

    /// <summary>Every designation process, oldest first, including ended ones.</summary>
    public IReadOnlyList<CoordinatorDesignation> Designations => _designations;
    public CoordinatorDesignation? DesignatedCoordinator => _designations.SingleOrDefault(d => d.Stage == DesignationStage.Designated);

    /// <summary>Every version of the modalities, oldest first; the last is in force.</summary>
    public IReadOnlyList<CoordinationModalities> Modalities => _modalities;
    public CoordinationModalities? CurrentModalities => _modalities.Count == 0 ? null : _modalities.MaxBy(m => m.Version);

    /// <summary>
    /// Where the designation stands: the designated coordinator if there is one and no newer
    /// process is under way, otherwise the furthest step reached by a process under way.
    /// </summary>
    public DesignationStage? DesignationState
    {
        get
        {
            var underWay = _designations.Where(d => d.IsUnderWay).Select(d => d.Stage).DefaultIfEmpty().Max();
            if (underWay != default) return underWay;
            return DesignatedCoordinator is null ? null : DesignationStage.Designated;
        }
    }

    public static Team Create(ActionLine line, Actor actor, Instant now)
    {
        Require.Secretariat(actor, "create a team");
        if (!line.HasTeam)
            throw DomainException.InvalidArgument($"action_line_code '{line.Code}' is divided into sub-lines and has no team of its own");
        var team = new Team { Id = Guid.CreateVersion7(now.ToDateTimeOffset()), ActionLineCode = line.Code, CreatedAt = now, CreatedBy = actor.Subject };
        team.Record("TeamCreated", $"team of action line {line.Code} created", actor, now);
        return team;
    }

    /// <summary>
    /// The implementation mechanism has one multi-stakeholder team per action line: what a second
    /// <see cref="Create"/> for a line meets (the service finds the first one, or the database's unique index does).
    /// </summary>
    public static DomainException OneTeamPerActionLine(ActionLine line) =>
        DomainException.AlreadyExists($"action line {line.Code} already has its team; there is one team per action line");

    public TeamMembership Join(Stakeholder stakeholder, Actor actor, Instant now)
    {
        RequireSelfOrSecretariat(stakeholder.Id, actor, "join a team");
        if (_memberships.Any(m => m.IsActive && m.StakeholderId == stakeholder.Id))
            throw DomainException.AlreadyExists($"stakeholder {stakeholder.Id} is already a member of team {ActionLineCode}");
        var membership = new TeamMembership(Guid.CreateVersion7(now.ToDateTimeOffset()), stakeholder.Id, now, actor.Subject);
        _memberships.Add(membership);
        Record("StakeholderJoined", $"{stakeholder.Name} ({stakeholder.Id}) joined the team", actor, now);
        return membership;
    }

    public TeamMembership Leave(Guid stakeholderId, Actor actor, Instant now)
    {
        RequireSelfOrSecretariat(stakeholderId, actor, "leave a team");
        var membership = _memberships.SingleOrDefault(m => m.IsActive && m.StakeholderId == stakeholderId)
            ?? throw DomainException.FailedPrecondition($"stakeholder {stakeholderId} is not a member of team {ActionLineCode}");
        membership.End(now, actor.Subject);
        Record("StakeholderLeft", $"stakeholder {stakeholderId} left the team", actor, now);
        return membership;
    }

    /// <summary>Step 1: the secretariat puts an entity forward (typically an intergovernmental organisation).</summary>
    public CoordinatorDesignation NominateCoordinator(Stakeholder nominee, Actor actor, Instant now)
    {
        Require.Secretariat(actor, "nominate a coordinator");
        if (_designations.Any(d => d.IsUnderWay && d.StakeholderId == nominee.Id))
            throw DomainException.AlreadyExists($"stakeholder {nominee.Id} is already nominated as coordinator of team {ActionLineCode}");
        var designation = new CoordinatorDesignation(Guid.CreateVersion7(now.ToDateTimeOffset()), nominee.Id, now, actor.Subject);
        _designations.Add(designation);
        Record("CoordinatorNominated", $"{nominee.Name} ({nominee.Id}) nominated as coordinator", actor, now);
        return designation;
    }

    /// <summary>Step 2: a stakeholder meeting convened by the ITU Secretary-General agreed to recommend the nominee to the UN Secretary-General.</summary>
    public CoordinatorDesignation RecordRecommendation(Guid stakeholderId, string? meetingReference, Actor actor, Instant now)
    {
        Require.Secretariat(actor, "record a coordinator recommendation");
        var reference = Text.Required(meetingReference, "meeting_reference", Text.ReferenceMax);
        var designation = UnderWayFor(stakeholderId);
        if (designation is null)
        {
            throw DomainException.FailedPrecondition(
                $"nomination missing: stakeholder {stakeholderId} has not been nominated as coordinator of team {ActionLineCode}; only a nominee can be recommended (NominateCoordinator comes first)");
        }

        if (designation.Stage == DesignationStage.Recommended)
            throw DomainException.AlreadyExists($"the recommendation of stakeholder {stakeholderId} for team {ActionLineCode} is already recorded");
        designation.Recommend(reference, now, actor.Subject);
        Record("CoordinatorRecommended", $"recommendation of stakeholder {stakeholderId} recorded (stakeholder meeting: {reference})", actor, now);
        return designation;
    }

    /// <summary>
    /// Step 3: the UN Secretary-General designated the recommended entity. The coordinator in office,
    /// if any, is replaced; its record stays in the history with the date it ended.
    /// </summary>
    public (CoordinatorDesignation Designated, CoordinatorDesignation? Ended) RecordDesignation(Guid stakeholderId, string? decisionReference, Actor actor, Instant now)
    {
        Require.Secretariat(actor, "record a coordinator designation");
        var reference = Text.Required(decisionReference, "decision_reference", Text.ReferenceMax);
        var designation = UnderWayFor(stakeholderId);
        if (designation is null)
        {
            throw DomainException.FailedPrecondition(
                $"nomination missing: stakeholder {stakeholderId} has not been nominated as coordinator of team {ActionLineCode}; the steps are nomination, recommendation, designation");
        }

        if (designation.Stage != DesignationStage.Recommended)
        {
            throw DomainException.FailedPrecondition(
                $"recommendation missing: no recommendation of stakeholder {stakeholderId} agreed at a stakeholder meeting convened by the ITU Secretary-General is recorded for team {ActionLineCode} (RecordCoordinatorRecommendation comes before the designation)");
        }

        var utc = now;
        var previous = DesignatedCoordinator;
        previous?.End(utc, designation.Id);
        designation.Designate(reference, utc, actor.Subject);
        Record("CoordinatorDesignated",
            $"stakeholder {stakeholderId} designated as coordinator (decision: {reference})" + (previous is null ? "" : $"; the designation of stakeholder {previous.StakeholderId} ended"),
            actor, now);
        return (designation, previous);
    }

    public CoordinationModalities SetCoordinationModalities(string? text, Actor actor, Instant now)
    {
        RequireCoordinatorOrSecretariat(actor, "set the team's coordination modalities");
        var body = Text.Required(text, "text", Text.LongTextMax);
        var version = _modalities.Count == 0 ? 1 : _modalities.Max(m => m.Version) + 1;
        var modalities = new CoordinationModalities(Guid.CreateVersion7(now.ToDateTimeOffset()), version, body, now, actor.Subject);
        _modalities.Add(modalities);
        Record("CoordinationModalitiesSet", $"coordination modalities version {version} set", actor, now);
        return modalities;
    }

    public TeamMeeting ScheduleMeeting(string? title, Instant? startsAt, Instant? endsAt, string? venueOrLink, string? agenda, Actor actor, Instant now)
    {
        RequireCoordinatorOrSecretariat(actor, "schedule the team's meetings");
        return TeamMeeting.Schedule(Id, title, startsAt, endsAt, venueOrLink, agenda, actor, now);
    }

    public IReadOnlyList<HistoryEntry> TakeNewHistory() => _newHistory.Take();

    public bool IsMember(Guid stakeholderId) => _memberships.Any(m => m.IsActive && m.StakeholderId == stakeholderId);

    private void Record(string action, string detail, Actor actor, Instant now) =>
        _newHistory.Record(HistoryEntry.Of(HistorySubject.Team, Id, action, detail, actor, now.ToDateTimeOffset()));

    private CoordinatorDesignation? UnderWayFor(Guid stakeholderId) =>
        _designations.SingleOrDefault(d => d.IsUnderWay && d.StakeholderId == stakeholderId);

    private void RequireCoordinatorOrSecretariat(Actor actor, string what)
    {
        if (actor.IsSecretariat) return;
        var coordinator = DesignatedCoordinator;
        if (coordinator is null)
            throw DomainException.PermissionDenied($"only the designated coordinator or the secretariat may {what}, and team {ActionLineCode} has no designated coordinator");
        if (!actor.IsCoordinatorOf(coordinator.StakeholderId))
            throw DomainException.PermissionDenied($"only the designated coordinator of team {ActionLineCode} (role coordinator, org {coordinator.StakeholderId}) or the secretariat may {what}");
    }

    private static void RequireSelfOrSecretariat(Guid stakeholderId, Actor actor, string what)
    {
        if (!actor.IsSecretariat && !actor.SpeaksFor(stakeholderId))
            throw DomainException.PermissionDenied($"a stakeholder may {what} only for itself (the token's org must be stakeholder_id); the secretariat may do it for anyone");
    }
}

/// <summary>One period of membership: joined, and perhaps left, each with when and by whom.</summary>
public sealed class TeamMembership
{
    private TeamMembership() { JoinedBy = ""; }

    internal TeamMembership(Guid id, Guid stakeholderId, Instant joinedAt, string joinedBy)
    {
        Id = id;
        StakeholderId = stakeholderId;
        JoinedAt = joinedAt;
        JoinedBy = joinedBy;
    }

    public Guid Id { get; private set; }
    public Guid StakeholderId { get; private set; }
    public Instant JoinedAt { get; private set; }
    public string JoinedBy { get; private set; }
    public Instant? LeftAt { get; private set; }
    public string? LeftBy { get; private set; }
    public bool IsActive => LeftAt is null;

    internal void End(Instant at, string by)
    {
        LeftAt = at;
        LeftBy = by;
    }
}

/// <summary>The steps of a coordinator designation, in the order the Tunis Agenda sets.</summary>
public enum DesignationStage
{
    Nominated = 1,
    Recommended = 2,
    Designated = 3,
    /// <summary>Was designated; a later designation replaced it.</summary>
    Ended = 4,
}

/// <summary>One entity's way from nomination to designation (and, later, the end of its term).</summary>
public sealed class CoordinatorDesignation
{
    private CoordinatorDesignation() { NominatedBy = ""; }

    internal CoordinatorDesignation(Guid id, Guid stakeholderId, Instant nominatedAt, string nominatedBy)
    {
        Id = id;
        StakeholderId = stakeholderId;
        Stage = DesignationStage.Nominated;
        NominatedAt = nominatedAt;
        NominatedBy = nominatedBy;
    }

    public Guid Id { get; private set; }
    public Guid StakeholderId { get; private set; }
    public DesignationStage Stage { get; private set; }
    public Instant NominatedAt { get; private set; }
    public string NominatedBy { get; private set; }
    public Instant? RecommendedAt { get; private set; }
    public string? RecommendedBy { get; private set; }
    /// <summary>The stakeholder meeting convened by the ITU Secretary-General that agreed the recommendation.</summary>
    public string? MeetingReference { get; private set; }
    public Instant? DesignatedAt { get; private set; }
    public string? DesignatedBy { get; private set; }
    /// <summary>The UN Secretary-General's decision.</summary>
    public string? DecisionReference { get; private set; }
    public Instant? EndedAt { get; private set; }
    /// <summary>The designation that replaced this one.</summary>
    public Guid? SupersededBy { get; private set; }

    public bool IsUnderWay => Stage is DesignationStage.Nominated or DesignationStage.Recommended;

    internal void Recommend(string meetingReference, Instant at, string by)
    {
        Stage = DesignationStage.Recommended;
        MeetingReference = meetingReference;
        RecommendedAt = at;
        RecommendedBy = by;
    }

    internal void Designate(string decisionReference, Instant at, string by)
    {
        Stage = DesignationStage.Designated;
        DecisionReference = decisionReference;
        DesignatedAt = at;
        DesignatedBy = by;
    }

    internal void End(Instant at, Guid supersededBy)
    {
        Stage = DesignationStage.Ended;
        EndedAt = at;
        SupersededBy = supersededBy;
    }
}

/// <summary>One version of how the team organises its work; versions are never overwritten.</summary>
public sealed class CoordinationModalities
{
    private CoordinationModalities() { Text = SetBy = ""; }

    internal CoordinationModalities(Guid id, int version, string text, Instant setAt, string setBy)
    {
        Id = id;
        Version = version;
        Text = text;
        SetAt = setAt;
        SetBy = setBy;
    }

    public Guid Id { get; private set; }
    public int Version { get; private set; }
    public string Text { get; private set; }
    public Instant SetAt { get; private set; }
    public string SetBy { get; private set; }
}
