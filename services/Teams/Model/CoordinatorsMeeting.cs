using NodaTime;
using NodaTime.Text;

namespace Wsis.Teams.Model;

/// <summary>The secretariats that fund the meeting of coordinators.</summary>
public enum Funder
{
    Itu = 1,
    Unesco = 2,
}

public enum Office
{
    Chair = 1,
    ViceChair = 2,
}

/// <summary>Who may vote: the designated coordinator of each team, at the time the ballot is cast.</summary>
public sealed record Electorate(IReadOnlyDictionary<Guid, Guid> CoordinatorByTeam)
{
    public static Electorate Of(IEnumerable<Team> teams) =>
        new(teams.Where(t => t.DesignatedCoordinator is not null)
                 .ToDictionary(t => t.Id, t => t.DesignatedCoordinator!.StakeholderId));

    public bool IsCoordinator(Guid stakeholderId) => CoordinatorByTeam.Values.Contains(stakeholderId);
}

/// <summary>
/// The meeting of coordinators of multi-stakeholder teams: funded by ITU and UNESCO, it elects a
/// Chair and Vice-Chairs, and sets the implementation framework and the stocktaking procedures.
/// </summary>
public sealed class CoordinatorsMeeting : IRecordsHistory
{
    public const int MaxViceChairSeats = 10;
    public const int DefaultViceChairSeats = 2;

    private readonly NewHistory _newHistory = new();
    private readonly List<FundingLine> _funding = [];
    private readonly List<OfficerNomination> _nominations = [];
    private readonly List<Ballot> _ballots = [];
    private readonly List<StocktakingProcedures> _stocktakingProcedures = [];
    private List<Guid> _viceChairIds = [];
    private List<Guid> _chairTieIds = [];
    private List<Guid> _viceChairTieIds = [];

    private CoordinatorsMeeting() { Venue = ConvenedBy = ""; }

    public Guid Id { get; private set; }
    public Instant StartsAt { get; private set; }
    public string Venue { get; private set; }
    public int ViceChairSeats { get; private set; }
    public Instant ConvenedAt { get; private set; }
    public string ConvenedBy { get; private set; }
    public IReadOnlyList<FundingLine> Funding => _funding;
    public IReadOnlyList<OfficerNomination> Nominations => _nominations;
    public IReadOnlyList<Ballot> Ballots => _ballots;

    public Instant? ElectionClosedAt { get; private set; }
    public string? ElectionClosedBy { get; private set; }
    public bool IsElectionClosed => ElectionClosedAt is not null;
    /// <summary>Null when the election is open or the chair vote was tied.</summary>
    public Guid? ChairId { get; private set; }
    /// <summary>Elected vice-chairs, highest vote first.</summary>
    public IReadOnlyList<Guid> ViceChairIds => _viceChairIds;
    /// <summary>Candidates tied for the chair; nobody is elected chair when this is not empty.</summary>
    public IReadOnlyList<Guid> ChairTieIds => _chairTieIds;
    /// <summary>Candidates tied for the last vice-chair seats; none of them is elected.</summary>
    public IReadOnlyList<Guid> ViceChairTieIds => _viceChairTieIds;
    public int UnfilledViceChairSeats => IsElectionClosed ? ViceChairSeats - _viceChairIds.Count : ViceChairSeats;

    public string? ImplementationFramework { get; private set; }
    public int ImplementationFrameworkVersion { get; private set; }
    public Instant? ImplementationFrameworkSetAt { get; private set; }
    public string? ImplementationFrameworkSetBy { get; private set; }
    public IReadOnlyList<StocktakingProcedures> StocktakingProcedures => _stocktakingProcedures;

    public static CoordinatorsMeeting Convene(Instant? startsAt, string? venue, IReadOnlyList<(Funder Funder, Money Amount)> funding, int viceChairSeats, Actor actor, Instant now)
    {
        Require.Secretariat(actor, "convene a meeting of coordinators");
        if (startsAt is not { } starts)
            throw DomainException.InvalidArgument("starts_at is required");
        if (starts <= now)
            throw DomainException.InvalidArgument("starts_at must be in the future");
        var place = Text.Required(venue, "venue", Text.ReferenceMax);
        if (viceChairSeats is < 1 or > MaxViceChairSeats)
            throw DomainException.InvalidArgument($"vice_chair_seats must be between 1 and {MaxViceChairSeats}");
        for (var i = 0; i < funding.Count; i++)
        {
            if (!Enum.IsDefined(funding[i].Funder))
                throw DomainException.InvalidArgument($"funding[{i}].funder must be ITU or UNESCO");
        }
        // The Tunis Agenda has the meeting funded by both secretariats; one alone is not enough.
        foreach (var funder in Enum.GetValues<Funder>())
        {
            if (!funding.Any(f => f.Funder == funder))
                throw DomainException.InvalidArgument($"funding must include a line from {Name(funder)}: the meeting is funded by both the ITU and UNESCO secretariats");
        }

        var meeting = new CoordinatorsMeeting
        {
            Id = Guid.CreateVersion7(now.ToDateTimeOffset()),
            StartsAt = starts,
            Venue = place,
            ViceChairSeats = viceChairSeats,
            ConvenedAt = now,
            ConvenedBy = actor.Subject,
        };
        foreach (var (funder, amount) in funding)
            meeting._funding.Add(new FundingLine(Guid.CreateVersion7(now.ToDateTimeOffset()), funder, amount.AmountMinor, amount.Currency));
        meeting.Record("CoordinatorsMeetingConvened",
            $"convened for {InstantPattern.General.Format(starts)} at {place}, {viceChairSeats} vice-chair seats, funded by "
            + string.Join(" and ", funding.Select(f => $"{Name(f.Funder)} ({f.Amount.AmountMinor} {f.Amount.Currency} in minor units)")),
            actor, now);
        return meeting;
    }

    /// <summary>A designated coordinator (or the secretariat) puts a designated coordinator forward for an office.</summary>
    public OfficerNomination NominateOfficer(Office office, Guid candidateId, Electorate electorate, Actor actor, Instant now)
    {
        RequireOpen();
        RequireOffice(office);
        if (!actor.IsSecretariat && !(actor.OrganisationId is { } org && electorate.IsCoordinator(org) && actor.IsCoordinatorOf(org)))
            throw DomainException.PermissionDenied("only a designated coordinator or the secretariat may nominate officers");
        if (!electorate.IsCoordinator(candidateId))
            throw DomainException.FailedPrecondition($"stakeholder {candidateId} is not the designated coordinator of any team; officers are elected from among the coordinators");
        if (_nominations.Any(n => n.Office == office && n.StakeholderId == candidateId))
            throw DomainException.AlreadyExists($"stakeholder {candidateId} is already nominated for {Name(office)}");
        var nomination = new OfficerNomination(Guid.CreateVersion7(now.ToDateTimeOffset()), office, candidateId, now, actor.Subject);
        _nominations.Add(nomination);
        Record("OfficerNominated", $"stakeholder {candidateId} nominated for {Name(office)}", actor, now);
        return nomination;
    }

    /// <summary>
    /// A designated coordinator casts a ballot on behalf of a team it coordinates. An entity that
    /// coordinates several teams has one ballot per team: each call uses the next of its teams that
    /// has not yet voted for the office.
    /// </summary>
    public Ballot CastVote(Office office, IReadOnlyList<Guid> candidateIds, Electorate electorate, Actor actor, Instant now)
    {
        RequireOpen();
        RequireOffice(office);
        if (actor.OrganisationId is not { } org || !actor.IsCoordinatorOf(org) || !electorate.IsCoordinator(org))
            throw DomainException.PermissionDenied("only designated coordinators vote (role coordinator, with org the designated coordinator of a team)");
        var team = electorate.CoordinatorByTeam.Where(kv => kv.Value == org).Select(kv => kv.Key).Order()
            .Where(t => !_ballots.Any(b => b.Office == office && b.TeamId == t))
            .Cast<Guid?>().FirstOrDefault()
            ?? throw DomainException.AlreadyExists($"every team coordinated by {org} has already cast its {Name(office)} ballot");
        return CastVote(office, team, candidateIds, electorate, actor, now);
    }

    /// <summary>
    /// The designated coordinator of <paramref name="teamId"/> casts that team's ballot for an office:
    /// one candidate for the chair, up to the number of seats for the vice-chairs.
    /// </summary>
    public Ballot CastVote(Office office, Guid teamId, IReadOnlyList<Guid> candidateIds, Electorate electorate, Actor actor, Instant now)
    {
        RequireOpen();
        RequireOffice(office);
        if (!electorate.CoordinatorByTeam.TryGetValue(teamId, out var coordinator))
            throw DomainException.FailedPrecondition($"team {teamId} has no designated coordinator and cannot vote");
        if (!actor.IsCoordinatorOf(coordinator))
            throw DomainException.PermissionDenied($"only the designated coordinator of team {teamId} (role coordinator, org {coordinator}) may cast its ballot");
        if (_ballots.Any(b => b.Office == office && b.TeamId == teamId))
            throw DomainException.AlreadyExists($"team {teamId} has already cast its {Name(office)} ballot");
        if (candidateIds.Count == 0)
            throw DomainException.InvalidArgument("candidate_ids is required");
        if (office == Office.Chair && candidateIds.Count != 1)
            throw DomainException.InvalidArgument("candidate_ids must name exactly one candidate on a CHAIR ballot");
        if (office == Office.ViceChair && candidateIds.Count > ViceChairSeats)
            throw DomainException.InvalidArgument($"candidate_ids names {candidateIds.Count} candidates; a VICE_CHAIR ballot names at most {ViceChairSeats} (the number of seats)");
        for (var i = 0; i < candidateIds.Count; i++)
        {
            if (candidateIds.Take(i).Contains(candidateIds[i]))
                throw DomainException.InvalidArgument($"candidate_ids[{i}] repeats a candidate");
            if (!_nominations.Any(n => n.Office == office && n.StakeholderId == candidateIds[i]))
                throw DomainException.InvalidArgument($"candidate_ids[{i}] is not nominated for {Name(office)}");
        }
        var ballot = new Ballot(Guid.CreateVersion7(now.ToDateTimeOffset()), office, teamId, coordinator, [.. candidateIds], now, actor.Subject);
        _ballots.Add(ballot);
        // Who voted for whom stays out of the history: tallies are shown once the election is closed.
        Record("VoteCast", $"team {teamId} cast its {Name(office)} ballot", actor, now);
        return ballot;
    }

    /// <summary>Votes per nominated candidate for an office, most votes first.</summary>
    public IReadOnlyList<(Guid CandidateId, int Votes)> Tally(Office office) =>
        _nominations.Where(n => n.Office == office)
            .Select(n => (n.StakeholderId, Votes: _ballots.Count(b => b.Office == office && b.CandidateIds.Contains(n.StakeholderId))))
            .OrderByDescending(t => t.Votes)
            .ToList();

    /// <summary>
    /// Elects the chair by plurality and the vice-chairs by rank. A tie is reported and the tied
    /// seat left unfilled: choosing among equals is for the coordinators, not for this code.
    /// Once closed, the outcome never changes.
    /// </summary>
    public void CloseElection(Actor actor, Instant now)
    {
        Require.Secretariat(actor, "close the election");
        RequireOpen();
        if (!_ballots.Any(b => b.Office == Office.Chair))
            throw DomainException.FailedPrecondition("no CHAIR ballot has been cast; the election cannot be closed");

        var chairTally = Tally(Office.Chair).Where(t => t.Votes > 0).ToList();
        var top = chairTally.Max(t => t.Votes);
        var leaders = chairTally.Where(t => t.Votes == top).Select(t => t.CandidateId).ToList();
        Guid? chair = leaders.Count == 1 ? leaders[0] : null;
        var chairTie = leaders.Count == 1 ? [] : leaders;

        // The elected chair does not also take a vice-chair seat.
        var elected = new List<Guid>();
        var viceTie = new List<Guid>();
        foreach (var group in Tally(Office.ViceChair).Where(t => t.Votes > 0 && t.CandidateId != chair).GroupBy(t => t.Votes).OrderByDescending(g => g.Key))
        {
            var remaining = ViceChairSeats - elected.Count;
            if (remaining == 0) break;
            var ids = group.Select(t => t.CandidateId).ToList();
            if (ids.Count <= remaining)
            {
                elected.AddRange(ids);
            }
            else
            {
                viceTie = ids;
                break;
            }
        }

        ChairId = chair;
        _chairTieIds = chairTie;
        _viceChairIds = elected;
        _viceChairTieIds = viceTie;
        ElectionClosedAt = now;
        ElectionClosedBy = actor.Subject;
        Record("ElectionClosed",
            (chair is { } c ? $"chair: stakeholder {c}" : $"chair not elected (tie between {string.Join(", ", chairTie)})")
            + (elected.Count == 0 ? "; no vice-chair elected" : $"; vice-chairs: {string.Join(", ", elected.Select(v => $"stakeholder {v}"))}")
            + (viceTie.Count == 0 ? "" : $"; tie for the last vice-chair seats between {string.Join(", ", viceTie)}"),
            actor, now);
    }

    public bool IsChair(Guid stakeholderId) => ChairId == stakeholderId;
    public bool IsOfficer(Guid stakeholderId) => ChairId == stakeholderId || _viceChairIds.Contains(stakeholderId);

    public void SetImplementationFramework(string? text, Actor actor, Instant now)
    {
        RequireChairOrSecretariat(actor, "set the implementation framework");
        ImplementationFramework = Text.Required(text, "text", Text.LongTextMax);
        ImplementationFrameworkVersion++;
        ImplementationFrameworkSetAt = now;
        ImplementationFrameworkSetBy = actor.Subject;
        Record("ImplementationFrameworkSet", $"implementation framework version {ImplementationFrameworkVersion} set", actor, now);
    }

    /// <summary>Sets (or replaces) the procedures of the global stocktaking for one year.</summary>
    public StocktakingProcedures SetStocktakingProcedures(int year, Instant? contributionDeadline, IReadOnlyList<string> requiredFields, Actor actor, Instant now)
    {
        RequireChairOrSecretariat(actor, "set the stocktaking procedures");
        if (year is < 2005 or > 2100)
            throw DomainException.InvalidArgument("year must be between 2005 and 2100");
        if (contributionDeadline is not { } deadline)
            throw DomainException.InvalidArgument("contribution_deadline is required");
        if (deadline <= now)
            throw DomainException.InvalidArgument("contribution_deadline must be in the future");
        var fields = Model.StocktakingProcedures.CheckFields(requiredFields);
        var existing = _stocktakingProcedures.SingleOrDefault(p => p.Year == year);
        if (existing is not null)
        {
            existing.Replace(deadline, fields, now, actor.Subject);
            RecordProcedures("StocktakingProceduresReplaced", year, deadline, fields, actor, now);
            return existing;
        }
        var procedures = new StocktakingProcedures(Guid.CreateVersion7(now.ToDateTimeOffset()), year, deadline, fields, now, actor.Subject);
        _stocktakingProcedures.Add(procedures);
        RecordProcedures("StocktakingProceduresSet", year, deadline, fields, actor, now);
        return procedures;
    }

    public IReadOnlyList<HistoryEntry> TakeNewHistory() => _newHistory.Take();

    private void Record(string action, string detail, Actor actor, Instant now) =>
        _newHistory.Record(HistoryEntry.Of(HistorySubject.CoordinatorsMeeting, Id, action, detail, actor, now.ToDateTimeOffset()));

    private void RecordProcedures(string action, int year, Instant deadline, IEnumerable<string> fields, Actor actor, Instant now) =>
        Record(action, $"stocktaking procedures for {year}: contributions due {InstantPattern.General.Format(deadline)}, required fields {string.Join(", ", fields)}", actor, now);

    public static string Name(Office office) => office switch { Office.Chair => "CHAIR", Office.ViceChair => "VICE_CHAIR", _ => office.ToString() };
    public static string Name(Funder funder) => funder switch { Funder.Itu => "ITU", Funder.Unesco => "UNESCO", _ => funder.ToString() };

    private void RequireOpen()
    {
        if (IsElectionClosed)
            throw DomainException.FailedPrecondition($"the election of meeting {Id} closed at {InstantPattern.General.Format(ElectionClosedAt!.Value)}; its results are final");
    }

    private static void RequireOffice(Office office)
    {
        if (!Enum.IsDefined(office))
            throw DomainException.InvalidArgument("office must be CHAIR or VICE_CHAIR");
    }

    private void RequireChairOrSecretariat(Actor actor, string what)
    {
        if (actor.IsSecretariat) return;
        if (ChairId is { } chair && actor.IsCoordinatorOf(chair)) return;
        throw DomainException.PermissionDenied(ChairId is null
            ? $"only the secretariat may {what} while meeting {Id} has no elected chair"
            : $"only the chair of meeting {Id} (role coordinator, org {ChairId}) or the secretariat may {what}");
    }
}

public sealed class FundingLine
{
    private FundingLine() { Currency = ""; }

    internal FundingLine(Guid id, Funder funder, long amountMinor, string currency)
    {
        Id = id;
        Funder = funder;
        AmountMinor = amountMinor;
        Currency = currency;
    }

    public Guid Id { get; private set; }
    public Funder Funder { get; private set; }
    /// <summary>In the currency's minor unit.</summary>
    public long AmountMinor { get; private set; }
    /// <summary>ISO 4217.</summary>
    public string Currency { get; private set; }
}

public sealed class OfficerNomination
{
    private OfficerNomination() { NominatedBy = ""; }

    internal OfficerNomination(Guid id, Office office, Guid stakeholderId, Instant nominatedAt, string nominatedBy)
    {
        Id = id;
        Office = office;
        StakeholderId = stakeholderId;
        NominatedAt = nominatedAt;
        NominatedBy = nominatedBy;
    }

    public Guid Id { get; private set; }
    public Office Office { get; private set; }
    public Guid StakeholderId { get; private set; }
    public Instant NominatedAt { get; private set; }
    public string NominatedBy { get; private set; }
}

/// <summary>One team's ballot for one office.</summary>
public sealed class Ballot
{
    private List<Guid> _candidateIds = [];

    private Ballot() { CastBy = ""; }

    internal Ballot(Guid id, Office office, Guid teamId, Guid voterId, List<Guid> candidateIds, Instant castAt, string castBy)
    {
        Id = id;
        Office = office;
        TeamId = teamId;
        VoterId = voterId;
        _candidateIds = candidateIds;
        CastAt = castAt;
        CastBy = castBy;
    }

    public Guid Id { get; private set; }
    public Office Office { get; private set; }
    public Guid TeamId { get; private set; }
    /// <summary>The team's designated coordinator when the ballot was cast.</summary>
    public Guid VoterId { get; private set; }
    public IReadOnlyList<Guid> CandidateIds => _candidateIds;
    public Instant CastAt { get; private set; }
    public string CastBy { get; private set; }
}
