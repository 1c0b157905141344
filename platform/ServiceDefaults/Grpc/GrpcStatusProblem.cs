using System.Text;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Platform.ServiceDefaults;

/// <summary>
/// How an HTTP (JSON) caller reads a gRPC status, wherever it comes from (a service, the gateway, a
/// rate limit): an RFC 7807 problem whose <c>title</c> is the status's canonical name
/// (<c>NOT_FOUND</c>), <c>detail</c> its message and <c>grpcStatus</c> its number.
/// </summary>
public static class GrpcStatusProblem
{
    /// <summary>The problem answer with HTTP status <paramref name="httpStatus"/>.</summary>
    public static IResult Result(int httpStatus, StatusCode code, string detail) =>
        Results.Problem(detail: detail, statusCode: httpStatus, title: Name(code),
            extensions: new Dictionary<string, object?> { ["grpcStatus"] = (int)code });

    /// <summary>The canonical name of a status: <c>DeadlineExceeded</c> → <c>DEADLINE_EXCEEDED</c>.</summary>
    public static string Name(StatusCode code)
    {
        if (code == StatusCode.OK)
        {
            return "OK";
        }

        var name = code.ToString();
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]))
            {
                builder.Append('_');
            }

            builder.Append(char.ToUpperInvariant(name[i]));
        }

        return builder.ToString();
    }
}
