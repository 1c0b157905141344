namespace Platform.Domain;

/// <summary>The kinds of thing a history is kept for: a team (and its meetings), a coordinators' meeting, a consultation, a report.</summary>
public static class HistorySubject
{
    public const string Team = "team";
    public const string CoordinatorsMeeting = "coordinators-meeting";
    public const string Consultation = "consultation";
    public const string Report = "report";
}

/// <summary>
/// One line of a history the secretariat reads: who (the token's <c>sub</c> and display name) did
/// what (a stable action name such as <c>CoordinatorNominated</c> and a short detail naming ids and
/// organisations, never an e-mail address or a respondent's personal data) to which subject, when
/// (the service's clock). The aggregate that makes a change records its entry
/// (<see cref="NewHistory"/>); the service's database set-up saves it in the SaveChanges that saves
/// the change, so a change and its history line are written together or not at all.
/// </summary>
public sealed class HistoryEntry
{
    public const int KindMax = 40;
    public const int ActionMax = 80;
    public const int DetailMax = 1000;
    public const int ActorMax = 200;

    private HistoryEntry() { SubjectKind = Action = Detail = ActorSubject = ActorName = ""; }

    /// <summary>The order entries were written in, given by the database.</summary>
    public long Sequence { get; private set; }

    public string SubjectKind { get; private set; }

    public Guid SubjectId { get; private set; }

    public string Action { get; private set; }

    public string Detail { get; private set; }

    public string ActorSubject { get; private set; }

    /// <summary>The token's <c>name</c>; its <c>sub</c> when the token has none.</summary>
    public string ActorName { get; private set; }

    public DateTimeOffset At { get; private set; }

    public static HistoryEntry Of(string subjectKind, Guid subjectId, string action, string detail, Actor actor, DateTimeOffset at) => new()
    {
        SubjectKind = subjectKind,
        SubjectId = subjectId,
        Action = action,
        Detail = Cut(detail, DetailMax),
        ActorSubject = Cut(actor.Subject, ActorMax),
        ActorName = Cut(string.IsNullOrWhiteSpace(actor.Name) ? actor.Subject : actor.Name, ActorMax),
        At = at.ToUniversalTime(),
    };

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}

/// <summary>An aggregate that records history entries for its changes.</summary>
public interface IRecordsHistory
{
    /// <summary>The entries recorded since the last call, handed over once to be saved with the change.</summary>
    IReadOnlyList<HistoryEntry> TakeNewHistory();
}

/// <summary>The entries an aggregate recorded and has not yet handed over for saving.</summary>
public sealed class NewHistory
{
    private readonly List<HistoryEntry> _entries = [];

    public void Record(HistoryEntry entry) => _entries.Add(entry);

    public IReadOnlyList<HistoryEntry> Take()
    {
        var taken = _entries.ToList();
        _entries.Clear();
        return taken;
    }
}
