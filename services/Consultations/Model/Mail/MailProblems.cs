namespace Wsis.Consultations.Model.Mail;

/// <summary>What can be wrong with a message. The reader reports these instead of throwing.</summary>
public enum MailProblemKind
{
    MissingHeaderSeparator,
    MalformedHeader,
    MissingFrom,
    MalformedAddress,
    MissingBoundary,
    UnterminatedMultipart,
    InvalidBase64,
    InvalidQuotedPrintable,
    UnknownTransferEncoding,
    UnknownCharset,
    InvalidEncodedWord,
    DepthLimitExceeded,
    PartLimitExceeded,
    SizeLimitExceeded,
    HeaderLimitExceeded,
    NoTextBody,
    Unreadable,
}

/// <summary>One problem found while reading a message; the detail never quotes message content.</summary>
public sealed record MailProblem(MailProblemKind Kind, string Detail);

/// <summary>The problems found so far; each distinct one once, at most a bounded number.</summary>
public sealed class MailProblems
{
    private const int MaxProblems = 64;
    private readonly List<MailProblem> _items = [];

    public int Count => _items.Count;

    public IReadOnlyList<MailProblem> Items => _items;

    public void Add(MailProblemKind kind, string detail)
    {
        if (_items.Count >= MaxProblems || _items.Exists(p => p.Kind == kind && p.Detail == detail))
        {
            return;
        }

        _items.Add(new MailProblem(kind, detail));
    }
}
