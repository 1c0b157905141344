namespace Platform.Domain;

/// <summary>Why a domain rule refused a request; the gRPC error interceptor maps each kind to the status of the same name.</summary>
public enum DomainErrorKind
{
    InvalidArgument,
    FailedPrecondition,
    PermissionDenied,
    AlreadyExists,
    NotFound,
    /// <summary>The rule depends on something this service has not learnt yet (an event still on its way): retry shortly.</summary>
    Unavailable,
    /// <summary>A concurrent request changed the record first: the request may be retried as is.</summary>
    Aborted,
}

/// <summary>
/// A rule of the texts the system implements was not met. The message is shown to the caller as
/// is, so it names the field or the missing step and never carries personal data.
/// </summary>
public sealed class DomainException(DomainErrorKind kind, string message) : Exception(message)
{
    public DomainErrorKind Kind { get; } = kind;

    /// <summary>For <see cref="DomainErrorKind.Unavailable"/>: how long to wait before retrying.</summary>
    public TimeSpan? RetryAfter { get; init; }

    public static DomainException InvalidArgument(string message) => new(DomainErrorKind.InvalidArgument, message);
    public static DomainException FailedPrecondition(string message) => new(DomainErrorKind.FailedPrecondition, message);
    public static DomainException PermissionDenied(string message) => new(DomainErrorKind.PermissionDenied, message);
    public static DomainException AlreadyExists(string message) => new(DomainErrorKind.AlreadyExists, message);
    public static DomainException NotFound(string message) => new(DomainErrorKind.NotFound, message);
    public static DomainException Aborted(string message) => new(DomainErrorKind.Aborted, message);

    public static DomainException Unavailable(string message, TimeSpan retryAfter) =>
        new(DomainErrorKind.Unavailable, message) { RetryAfter = retryAfter };
}
