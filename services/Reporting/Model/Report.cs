namespace Wsis.Reporting.Model;

public enum ReportState
{
    Draft = 1,
    Submitted = 2,
    TransmittedToGeneralAssembly = 3,
}

/// <summary>
/// A report to the UN Secretary-General. A draft is compiled by an officer or the secretariat;
/// submission freezes it: its canonical content is hashed and never changes again. The secretariat
/// then records the transmission to the General Assembly.
/// </summary>
public sealed class Report
{
    public Guid ReportId { get; set; }
    public DateTimeOffset PeriodStart { get; set; }
    public DateTimeOffset PeriodEnd { get; set; }
    public DateTimeOffset CompiledAt { get; set; }
    public string CompiledBy { get; set; } = "";
    public string Title { get; set; } = "";

    /// <summary>The canonical JSON of the <see cref="ReportDocument"/>.</summary>
    public string Content { get; set; } = "";

    public ReportState State { get; set; } = ReportState.Draft;
    public string? ContentHash { get; set; }
    public DateTimeOffset? SubmittedAt { get; set; }
    public string? SubmittedBy { get; set; }
    public string? TransmissionReference { get; set; }
    public DateTimeOffset? TransmittedAt { get; set; }

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

    public Problems Submit(string officer, DateTimeOffset now)
    {
        var problems = new Problems();
        if (State != ReportState.Draft)
        {
            problems.Add(ProblemKind.FailedPrecondition, "report_id", "the report has already been submitted and cannot change");
            return problems;
        }
        ContentHash = CanonicalReport.Hash(Content);
        SubmittedAt = now;
        SubmittedBy = officer;
        State = ReportState.Submitted;
        return problems;
    }

    public Problems RecordTransmission(string? reference, DateTimeOffset now)
    {
        var problems = new Problems();
        if (string.IsNullOrWhiteSpace(reference)) problems.Invalid("reference", "is required");
        else if (reference.Length > 200) problems.Invalid("reference", "is longer than 200 characters");
        if (State == ReportState.Draft)
            problems.Add(ProblemKind.FailedPrecondition, "report_id", "only a report submitted to the Secretary-General can be transmitted");
        else if (State == ReportState.TransmittedToGeneralAssembly && TransmissionReference != reference?.Trim())
            problems.Add(ProblemKind.FailedPrecondition, "report_id", "the transmission of this report has already been recorded");
        if (problems.Any || State == ReportState.TransmittedToGeneralAssembly) return problems;
        TransmissionReference = reference!.Trim();
        TransmittedAt = now;
        State = ReportState.TransmittedToGeneralAssembly;
        return problems;
    }

    /// <summary>Whether the stored content still matches the hash frozen at submission.</summary>
    public bool IsIntact => ContentHash is null || CanonicalReport.Hash(Content) == ContentHash;
}
