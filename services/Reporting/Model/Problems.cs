namespace Wsis.Reporting.Model;

/// <summary>What kind of refusal a rule produces; the gRPC layer maps it to a status code.</summary>
public enum ProblemKind
{
    InvalidArgument,
    FailedPrecondition,
    PermissionDenied,
    NotFound,
    AlreadyExists,
}

/// <summary>One broken rule, naming the field (as the API spells it) and the rule.</summary>
public sealed record Problem(ProblemKind Kind, string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}

/// <summary>The outcome of validating a request: empty means accepted.</summary>
public sealed class Problems
{
    private readonly List<Problem> list = [];

    public IReadOnlyList<Problem> All => list;
    public bool Any => list.Count > 0;

    public void Add(ProblemKind kind, string field, string message) => list.Add(new(kind, field, message));
    public void Invalid(string field, string message) => Add(ProblemKind.InvalidArgument, field, message);

    /// <summary>
    /// The refusal to report: the most fundamental kind first (who may ask before what was asked),
    /// with every problem of that kind, so a client fixes all invalid fields in one round.
    /// </summary>
    public (ProblemKind Kind, string Message)? Verdict
    {
        get
        {
            if (list.Count == 0) return null;
            var kind = list.Select(p => p.Kind).OrderBy(Severity).First();
            return (kind, string.Join("; ", list.Where(p => p.Kind == kind).Select(p => p.ToString())));
        }
    }

    private static int Severity(ProblemKind k) => k switch
    {
        ProblemKind.PermissionDenied => 0,
        ProblemKind.NotFound => 1,
        ProblemKind.FailedPrecondition => 2,
        ProblemKind.AlreadyExists => 3,
        _ => 4,
    };
}
