using Grpc.Core;
using Wsis.Reporting.Model;

namespace Wsis.Reporting.Grpc;

/// <summary>Turns the domain's refusals into gRPC statuses with a message naming the field and rule.</summary>
internal static class RpcErrors
{
    public static void ThrowIfAny(Problems problems)
    {
        if (problems.Verdict is { } v) throw new RpcException(new Status(StatusOf(v.Kind), v.Message));
    }

    public static RpcException Invalid(string field, string message) =>
        new(new Status(StatusCode.InvalidArgument, $"{field}: {message}"));

    public static RpcException NotFound(string what) => new(new Status(StatusCode.NotFound, what));

    public static RpcException Denied(string rule) => new(new Status(StatusCode.PermissionDenied, rule));

    public static RpcException Precondition(string message) => new(new Status(StatusCode.FailedPrecondition, message));

    public static StatusCode StatusOf(ProblemKind kind) => kind switch
    {
        ProblemKind.PermissionDenied => StatusCode.PermissionDenied,
        ProblemKind.FailedPrecondition => StatusCode.FailedPrecondition,
        ProblemKind.NotFound => StatusCode.NotFound,
        ProblemKind.AlreadyExists => StatusCode.AlreadyExists,
        _ => StatusCode.InvalidArgument,
    };
}

/// <summary>Opaque page tokens over a stable ordering: the offset of the next item.</summary>
internal static class Paging
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    public static (int Offset, int Size) Read(string? pageToken, int pageSize)
    {
        if (pageSize < 0) throw RpcErrors.Invalid("page_size", "must not be negative");
        var size = pageSize == 0 ? DefaultPageSize : Math.Min(pageSize, MaxPageSize);
        if (string.IsNullOrEmpty(pageToken)) return (0, size);
        try
        {
            var text = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(pageToken));
            if (text.StartsWith("o:", StringComparison.Ordinal) &&
                int.TryParse(text.AsSpan(2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var offset))
                return (offset, size);
        }
        catch (FormatException)
        {
        }
        throw RpcErrors.Invalid("page_token", "is not a token this service issued");
    }

    public static string Next(int offset, int size, int total) =>
        offset + size < total ? Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"o:{offset + size}")) : "";
}

internal static class Callers
{
    /// <summary>The platform's view of the token, as the domain's rules take it.</summary>
    public static Model.Caller ToModel(this Platform.Security.Caller c) => c.IsAuthenticated
        ? new Model.Caller(new HashSet<string>(c.Roles, StringComparer.Ordinal), c.Subject, c.Country, c.Org)
        : Model.Caller.Anonymous;
}
