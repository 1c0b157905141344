namespace Wsis.Teams.Model;

/// <summary>Why a domain rule refused a request; the gRPC layer maps each kind to the status of the same name.</summary>
public enum DomainErrorKind
{
    InvalidArgument,
    FailedPrecondition,
    PermissionDenied,
    AlreadyExists,
    NotFound,
}

/// <summary>
/// A rule of the WSIS implementation mechanism was not met. The message is shown to the caller as is,
/// so it names the field or the missing step and never carries personal data.
/// </summary>
public sealed class DomainException(DomainErrorKind kind, string message) : Exception(message)
{
    public DomainErrorKind Kind { get; } = kind;

    public static DomainException InvalidArgument(string message) => new(DomainErrorKind.InvalidArgument, message);
    public static DomainException FailedPrecondition(string message) => new(DomainErrorKind.FailedPrecondition, message);
    public static DomainException PermissionDenied(string message) => new(DomainErrorKind.PermissionDenied, message);
    public static DomainException AlreadyExists(string message) => new(DomainErrorKind.AlreadyExists, message);
    public static DomainException NotFound(string message) => new(DomainErrorKind.NotFound, message);
}
