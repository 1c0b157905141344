using NodaTime;
using NodaTime.Text;

namespace Wsis.Consultations.Model;

/// <summary>Where a consultation stands; each step is taken once, in this order.</summary>
public enum ConsultationState
{
    /// <summary>Taking responses until the deadline.</summary>
    Open = 1,

    /// <summary>Closed at the deadline: the published responses are counted and fixed by a digest.</summary>
    Closed = 2,

    /// <summary>The group examined the responses at its meeting.</summary>
    Examined = 3,

    /// <summary>The results were made known to members, organisations and stakeholders.</summary>
    ResultsPublished = 4,
}

/// <summary>
/// An open consultation of CWG-Internet (ITU Council Resolution 1344). The group, limited to
/// Member States, decides which issues go to consultation; stakeholders respond until the deadline
/// one month before the group's meeting; every response received by then is published unedited
/// and the group examines them at the meeting; the results are made known. Its states run
/// OPEN → CLOSED → EXAMINED → RESULTS_PUBLISHED.
/// </summary>
public sealed class Consultation : IRecordsHistory
{
    public const int TitleMax = 300;
    public const int IssueTextMax = 100_000;
    public const int QuestionsMax = 50;
    public const int QuestionMax = 5000;
    public const int SummaryMax = 100_000;

    /// <summary>Who closes a consultation in its history: nobody asks, the deadline passes.</summary>
    public static readonly Actor Deadline = Actor.Create("deadline", [], name: "the response deadline");

    private readonly NewHistory _newHistory = new();

    private Consultation()
    {
        Title = IssueText = RoutingCode = OpenedBySubject = OpenedByCountryCode = "";
        Questions = [];
    }

    public Guid Id { get; private set; }

    /// <summary>The group meeting whose deadline the consultation has and where its responses are examined.</summary>
    public Guid MeetingId { get; private set; }

    public string Title { get; private set; }

    public string IssueText { get; private set; }

    public IReadOnlyList<string> Questions { get; private set; }

    /// <summary>The first instant a response is late (<see cref="ResponseDeadline.ClosesAt"/>).</summary>
    public Instant ClosesAt { get; private set; }

    public ConsultationState State { get; private set; }

    /// <summary>Short code that routes e-mail: in the address and as "[CWG-CODE]" in a subject (<see cref="MailRouting"/>).</summary>
    public string RoutingCode { get; private set; }

    /// <summary>The number of published responses, fixed at the close (while open it is counted from the responses).</summary>
    public int PublishedResponseCount { get; private set; }

    public Instant OpenedAt { get; private set; }

    public string OpenedBySubject { get; private set; }

    /// <summary>The Member State that opened the consultation; empty when the secretariat did.</summary>
    public string OpenedByCountryCode { get; private set; }

    public Instant? ClosedAt { get; private set; }

    /// <summary>The root (hex) of the consultation's log at its final checkpoint, fixed at the close.</summary>
    public string? ResponsesDigest { get; private set; }

    public Guid? ExaminedAtMeetingId { get; private set; }

    public Instant? ExaminedAt { get; private set; }

    public string? ResultsSummary { get; private set; }

    public Instant? ResultsPublishedAt { get; private set; }

    /// <summary>Whether a response received at a given instant is taken in.</summary>
    public ResponseWindow ResponseWindow => new(State, ClosesAt);

    /// <summary>
    /// Opens a consultation for the meeting it prepares. CWG-Internet is limited to Member States,
    /// so a Member State or the secretariat opens it; the deadline is computed from the meeting,
    /// never taken from the caller, and must still lie ahead.
    /// </summary>
    public static Consultation Open(
        GroupMeeting meeting, string? title, string? issueText, IReadOnlyList<string> questions, string routingCode, Actor actor, Instant now)
    {
        var memberState = actor.MemberState;
        if (memberState is null && !actor.IsSecretariat)
        {
            throw DomainException.PermissionDenied(
                "only a Member State (role member-state with a country) or the secretariat may open a consultation: CWG-Internet is limited to Member States (Council Resolution 1344)");
        }

        var consultation = new Consultation
        {
            Id = Guid.CreateVersion7(now.ToDateTimeOffset()),
            MeetingId = meeting.Id,
            Title = Input.Required(title, "title", TitleMax),
            IssueText = Input.Required(issueText, "issue_text", IssueTextMax),
            Questions = Checked(questions),
            State = ConsultationState.Open,
            RoutingCode = routingCode,
            OpenedAt = now,
            OpenedBySubject = actor.Subject,
            OpenedByCountryCode = actor.IsSecretariat ? "" : memberState!.Value,
        };

        var deadline = meeting.ResponseDeadline;
        if (!deadline.Accepts(now))
        {
            throw DomainException.FailedPrecondition(
                $"the response deadline for the meeting starting on {LocalDatePattern.Iso.Format(meeting.StartsOn)} ({deadline.Describe()}) has already passed: " +
                "responses are due one month before the meeting, so the consultation must prepare a later meeting (ScheduleGroupMeeting)");
        }

        consultation.ClosesAt = deadline.ClosesAt;
        consultation.Record("ConsultationOpened",
            (actor.IsSecretariat ? "opened by the secretariat" : $"opened by Member State {memberState!.Value}")
            + $" for the group meeting of {LocalDatePattern.Iso.Format(meeting.StartsOn)} ({meeting.Id}); responses until the {ResponseDeadline.DescribeClosing(consultation.ClosesAt)}",
            actor, now);
        return consultation;
    }

    /// <summary>
    /// Closes the consultation at its deadline: from then on no response is taken in, and the log's
    /// final checkpoint fixes what the group examines: its size is the count of published
    /// responses, its root (hex) the digest.
    /// </summary>
    public void Close(long logSize, byte[] logRoot, Instant now)
    {
        if (State != ConsultationState.Open)
        {
            throw DomainException.FailedPrecondition($"the consultation is {State.Name()}; only an OPEN consultation closes");
        }

        if (now < ClosesAt)
        {
            throw DomainException.FailedPrecondition($"the consultation is OPEN until its deadline, the {ResponseDeadline.DescribeClosing(ClosesAt)}; it closes by itself then");
        }

        State = ConsultationState.Closed;
        ClosedAt = now;
        PublishedResponseCount = checked((int)logSize);
        ResponsesDigest = Convert.ToHexStringLower(logRoot);
        Record("ConsultationClosed", $"closed at the deadline with {PublishedResponseCount} published responses; digest {ResponsesDigest}", Deadline, now);
    }

    /// <summary>The group examined the responses at its meeting (Council Resolution 1344: "at its next meeting").</summary>
    public void RecordExamination(GroupMeeting meeting, Actor actor, Instant now)
    {
        switch (State)
        {
            case ConsultationState.Open:
                throw DomainException.FailedPrecondition(
                    $"the consultation is OPEN; only a CLOSED consultation can be examined (it closes by itself at its deadline, the {ResponseDeadline.DescribeClosing(ClosesAt)})");
            case ConsultationState.Examined or ConsultationState.ResultsPublished:
                throw DomainException.FailedPrecondition(
                    $"the consultation is {State.Name()}: its examination at meeting {ExaminedAtMeetingId} is recorded already");
        }

        State = ConsultationState.Examined;
        ExaminedAtMeetingId = meeting.Id;
        ExaminedAt = now;
        Record("ExaminationRecorded", $"examined at the group meeting of {LocalDatePattern.Iso.Format(meeting.StartsOn)} ({meeting.Id})", actor, now);
    }

    /// <summary>The results made known to ITU members, international organisations and stakeholders.</summary>
    public void PublishResults(string? summary, Actor actor, Instant now)
    {
        var text = Input.Required(summary, "summary", SummaryMax);
        switch (State)
        {
            case ConsultationState.Open or ConsultationState.Closed:
                throw DomainException.FailedPrecondition(
                    $"the consultation is {State.Name()}; results are published after the group's examination is recorded (RecordExamination makes it EXAMINED)");
            case ConsultationState.ResultsPublished:
                throw DomainException.FailedPrecondition("the consultation is RESULTS_PUBLISHED: its results are published already and do not change");
        }

        State = ConsultationState.ResultsPublished;
        ResultsSummary = text;
        ResultsPublishedAt = now;
        Record("ResultsPublished", $"results published ({text.Length} characters of summary)", actor, now);
    }

    public IReadOnlyList<HistoryEntry> TakeNewHistory() => _newHistory.Take();

    /// <summary>
    /// An unassigned e-mail was assigned to this consultation by the secretariat. The response stays
    /// the published record; the history says only which one, and whether it was late.
    /// </summary>
    public static HistoryEntry ResponseAssigned(Guid consultationId, Response response, Actor actor, Instant now) =>
        HistoryEntry.Of(HistorySubject.Consultation, consultationId, "EmailAssigned",
            $"e-mail response {response.Id} (tracking number {response.TrackingNumber}, received {InstantPattern.General.Format(response.ReceivedAt)}) assigned"
            + (response.Late ? "; received after the deadline, kept as late and not published" : "; published"),
            actor, now.ToDateTimeOffset());

    private void Record(string action, string detail, Actor actor, Instant now) =>
        _newHistory.Record(HistoryEntry.Of(HistorySubject.Consultation, Id, action, detail, actor, now.ToDateTimeOffset()));

    private static List<string> Checked(IReadOnlyList<string> questions)
    {
        if (questions.Count > QuestionsMax)
        {
            throw DomainException.InvalidArgument($"questions: at most {QuestionsMax} questions");
        }

        return questions.Select((q, i) => Input.Required(q, $"questions[{i}]", QuestionMax)).ToList();
    }
}

/// <summary>Whether a consultation takes a response in: it is OPEN and the response arrived before the deadline.</summary>
public readonly record struct ResponseWindow(ConsultationState State, Instant ClosesAt)
{
    public bool Accepts(Instant receivedAt) => State == ConsultationState.Open && receivedAt < ClosesAt;

    /// <summary>What a web submission that came too late is told: the deadline it missed.</summary>
    public DomainException Refusal() =>
        DomainException.FailedPrecondition($"the response deadline has passed: responses were accepted until the {ResponseDeadline.DescribeClosing(ClosesAt)}");
}
