using System.Diagnostics;

namespace Grpc.Core;

/// <summary>The outcome of a call: a code and a human-readable detail.</summary>
[DebuggerDisplay("{DebuggerToString(),nq}")]
public readonly struct Status : IEquatable<Status>
{
    public static readonly Status DefaultSuccess = new(StatusCode.OK, "");
    public static readonly Status DefaultCancelled = new(StatusCode.Cancelled, "");

    public Status(StatusCode statusCode, string detail) : this(statusCode, detail, null) { }

    /// <param name="debugException">Kept for local diagnostics only; never sent to the peer.</param>
    public Status(StatusCode statusCode, string detail, Exception? debugException)
    {
        StatusCode = statusCode;
        Detail = detail ?? "";
        DebugException = debugException;
    }

    public StatusCode StatusCode { get; }
    public string Detail { get; }
    public Exception? DebugException { get; }

    public override string ToString() => DebugException is null
        ? $"Status(StatusCode=\"{StatusCode}\", Detail=\"{Detail}\")"
        : $"Status(StatusCode=\"{StatusCode}\", Detail=\"{Detail}\", DebugException=\"{DebugException.GetType()}: {DebugException.Message}\")";

    public bool Equals(Status other) => StatusCode == other.StatusCode && Detail == other.Detail && Equals(DebugException, other.DebugException);
    public override bool Equals(object? obj) => obj is Status s && Equals(s);
    public override int GetHashCode() => HashCode.Combine(StatusCode, Detail, DebugException);
    public static bool operator ==(Status left, Status right) => left.Equals(right);
    public static bool operator !=(Status left, Status right) => !left.Equals(right);

    private string DebuggerToString() => $"{StatusCode}: {Detail}";
}
