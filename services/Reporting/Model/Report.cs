namespace Wsis.Reporting.Model;

public enum ReportState
{
    Draft = 1,
    Submitted = 2,
    TransmittedToGeneralAssembly = 3,
}

/// <summary>
/// A report of the coordinators' meeting to the UN Secretary-General, who passes it on to the
/// General Assembly. The chair, a vice-chair or the secretariat compiles a draft; the chair or a
/// vice-chair submits it, which freezes it: its canonical content is hashed and never changes
/// again. The secretariat then records its transmission to the General Assembly.
/// </summary>
public sealed class Report : IRecordsHistory
{
    public const int MaxReferenceLength = 200;

    private readonly NewHistory _newHistory = new();

    private Report() { CompiledBy = Title = Content = ""; }

    public Guid ReportId { get; private set; }
    public Instant PeriodStart { get; private set; }
    public Instant PeriodEnd { get; private set; }
    public Instant CompiledAt { get; private set; }
    public string CompiledBy { get; private set; }
    public string Title { get; private set; }

    /// <summary>The canonical JSON of the <see cref="ReportDocument"/>.</summary>
    public string Content { get; private set; }

    public ReportState State { get; private set; } = ReportState.Draft;
    public string? ContentHash { get; private set; }
    public Instant? SubmittedAt { get; private set; }
    /// <summary>The officer (stakeholder id) that submitted it.</summary>
    public string? SubmittedBy { get; private set; }
    public string? TransmissionReference { get; private set; }
    public Instant? TransmittedAt { get; private set; }

    public ReportPeriod Period => new(PeriodStart, PeriodEnd);

    /// <summary>
    /// The one allowed to compile: the chair or a vice-chair of the coordinators' meeting, or the
    /// secretariat. Checked before anything is read, since a compilation reads the whole stocktaking.
    /// </summary>
    public static Compiler CompilerFor(Actor actor, OfficerRegister officers)
    {
        officers.RequireOfficerOrSecretariat(actor, "compile a report");
        return new Compiler(actor);
    }

    /// <summary>Who compiles (see <see cref="CompilerFor"/>), and how.</summary>
    public sealed class Compiler
    {
        private readonly Actor _actor;

        internal Compiler(Actor actor) => _actor = actor;

        /// <summary>A draft built from the stocktaking, the national reports and the consultations of the period.</summary>
        public Report Compile(ReportPeriod period, ReportSources sources, Instant now, Guid? id = null)
        {
            var report = Draft(id ?? Guid.CreateVersion7(now.ToDateTimeOffset()), ReportCompiler.Compile(sources, period, now), _actor.Subject);
            report.Record("ReportCompiled", $"draft \"{report.Title}\" compiled for {report.Period.FirstDay} to {report.Period.LastDay}", _actor, now);
            return report;
        }
    }

    /// <summary>A draft of a compiled document (the compiler's rule is <see cref="CompilerFor"/>).</summary>
    public static Report Draft(Guid id, ReportDocument document, string compiledBy) => new()
    {
        ReportId = id,
        PeriodStart = document.PeriodStart,
        PeriodEnd = document.PeriodEnd,
        CompiledAt = document.CompiledAt,
        CompiledBy = compiledBy,
        Title = document.Title,
        Content = CanonicalReport.Serialize(document),
    };

    public ReportDocument Document => CanonicalReport.Deserialize(Content);

    public ReportSeal? Seal => State == ReportState.Draft || ContentHash is null || SubmittedAt is null
        ? null
        : new ReportSeal(SubmittedAt.Value, ContentHash, TransmissionReference);

    /// <summary>
    /// "The Chair (or a Vice-Chair) reports periodically to the UN Secretary-General": an officer in
    /// office submits the draft, which freezes its content under its SHA-256.
    /// </summary>
    public void Submit(Actor actor, OfficerRegister officers, Instant now)
    {
        officers.RequireOfficer(actor, "submit a report to the UN Secretary-General");
        if (State != ReportState.Draft)
        {
            throw DomainException.FailedPrecondition(
                $"report {ReportId} is {NameOf(State)}: only a DRAFT report can be submitted to the UN Secretary-General, and a submitted report never changes");
        }

        ContentHash = CanonicalReport.Hash(Content);
        SubmittedAt = now;
        SubmittedBy = actor.CoordinatorOrganisation;
        State = ReportState.Submitted;
        Record("ReportSubmitted", $"submitted to the UN Secretary-General by stakeholder {SubmittedBy}; content frozen under SHA-256 {ContentHash}", actor, now);
    }

    /// <summary>
    /// The secretariat records that the UN Secretary-General transmitted the report to the General
    /// Assembly, under the Assembly's document reference. A repeat with the same reference changes
    /// nothing, so a retry is harmless.
    /// </summary>
    public void RecordTransmission(string? reference, Actor actor, Instant now)
    {
        if (!actor.IsSecretariat)
            throw DomainException.PermissionDenied("only the secretariat (role secretariat) may record the transmission of a report to the General Assembly");
        if (State == ReportState.Draft)
        {
            throw DomainException.FailedPrecondition(
                $"report {ReportId} is DRAFT: only a SUBMITTED report can be transmitted to the General Assembly (SubmitToSecretaryGeneral comes first)");
        }

        var trimmed = reference?.Trim();
        if (State == ReportState.TransmittedToGeneralAssembly)
        {
            if (TransmissionReference == trimmed) return;
            throw DomainException.FailedPrecondition(
                $"report {ReportId} is TRANSMITTED: its transmission to the General Assembly is already recorded under {TransmissionReference}");
        }
        if (string.IsNullOrWhiteSpace(trimmed)) throw DomainException.InvalidArgument("reference is required: the General Assembly's document symbol, such as A/81/100");
        if (trimmed.Length > MaxReferenceLength) throw DomainException.InvalidArgument($"reference is longer than {MaxReferenceLength} characters");
        TransmissionReference = trimmed;
        TransmittedAt = now;
        State = ReportState.TransmittedToGeneralAssembly;
        Record("ReportTransmitted", $"transmission to the General Assembly recorded under {trimmed}", actor, now);
    }

    public IReadOnlyList<HistoryEntry> TakeNewHistory() => _newHistory.Take();

    private void Record(string action, string detail, Actor actor, Instant now) =>
        _newHistory.Record(HistoryEntry.Of(HistorySubject.Report, ReportId, action, detail, actor, now.ToDateTimeOffset()));

    /// <summary>Submitted reports are public; a draft is read only by those who compile reports.</summary>
    public void RequireReadableBy(Actor actor, OfficerRegister officers)
    {
        if (State != ReportState.Draft) return;
        officers.RequireOfficerOrSecretariat(actor, $"read report {ReportId} while it is a DRAFT (it is public once SUBMITTED)");
    }

    /// <summary>Whether the stored content still matches the hash frozen at submission.</summary>
    public bool IsIntact => ContentHash is null || CanonicalReport.Hash(Content) == ContentHash;

    /// <summary>The state as the API names it (reporting.v1.ReportState).</summary>
    public static string NameOf(ReportState state) => state switch
    {
        ReportState.Draft => "DRAFT",
        ReportState.Submitted => "SUBMITTED",
        ReportState.TransmittedToGeneralAssembly => "TRANSMITTED",
        _ => "REPORT_STATE_UNSPECIFIED",
    };
}
