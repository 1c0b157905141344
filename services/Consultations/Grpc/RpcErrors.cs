using Grpc.Core;

namespace Wsis.Consultations.Grpc;

/// <summary>The statuses the service answers with; messages name the field or rule and carry no personal data.</summary>
internal static class RpcErrors
{
    public static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));

    public static RpcException NotFound(string message) => new(new Status(StatusCode.NotFound, message));

    public static RpcException Precondition(string message) => new(new Status(StatusCode.FailedPrecondition, message));

    public static RpcException Denied(string message) => new(new Status(StatusCode.PermissionDenied, message));

    public static RpcException Unavailable(string message) => new(new Status(StatusCode.Unavailable, message));

    public static Guid ParseId(string value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw Invalid($"{field} is required");
        }

        return Guid.TryParse(value, out var id) ? id : throw Invalid($"{field} '{Shorten(value)}' is not a valid id");
    }

    public static string Required(string? value, string field, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw Invalid($"{field} is required");
        }

        return value.Length <= maxLength ? value : throw Invalid($"{field} is longer than {maxLength} characters");
    }

    public static string Shorten(string value) => value.Length <= 60 ? value : value[..60] + "…";
}
