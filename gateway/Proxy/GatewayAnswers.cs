using System.Globalization;
using Grpc.Core;
using Platform.Security;
using Platform.ServiceDefaults;

namespace Wsis.Gateway.Proxy;

/// <summary>
/// What the gateway itself answers (a limit, a proxy failure, an unknown method) in the caller's own
/// terms: a gRPC caller gets a Trailers-Only status, with a retry hint when waiting helps; anyone else
/// an RFC 7807 problem naming the same gRPC status (<see cref="GrpcStatusProblem"/>), with
/// <c>Retry-After</c> when waiting helps. Never a bare HTTP error a gRPC client cannot read.
/// </summary>
public static class GatewayAnswers
{
    public static bool IsGrpc(HttpRequest request) => RuleRefusals.IsGrpc(request);

    public static Task WriteAsync(HttpContext context, StatusCode code, int httpStatus, string message, TimeSpan? retryAfter = null)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            return Task.CompletedTask;
        }

        response.Clear();
        if (IsGrpc(context.Request))
        {
            RuleRefusals.WriteGrpcStatus(response, code, message);
            if (retryAfter is { } wait)
            {
                // The names grpc-dotnet's and grpc-core's retry policies read, as the services send them.
                var milliseconds = ((long)Math.Ceiling(wait.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
                response.Headers[ErrorMappingInterceptor.RetryPushbackTrailer] = milliseconds;
                response.Headers[ErrorMappingInterceptor.RetryAfterTrailer] = milliseconds;
            }

            return Task.CompletedTask;
        }

        if (retryAfter is { } after)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        return GrpcStatusProblem.Result(httpStatus, code, message).ExecuteAsync(context);
    }

    /// <summary>google.rpc's mapping of a gRPC status to HTTP (the one JSON transcoding uses).</summary>
    public static int HttpStatusFor(StatusCode code) => code switch
    {
        StatusCode.OK => StatusCodes.Status200OK,
        StatusCode.Cancelled => 499,
        StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.OutOfRange => StatusCodes.Status400BadRequest,
        StatusCode.DeadlineExceeded => StatusCodes.Status504GatewayTimeout,
        StatusCode.NotFound => StatusCodes.Status404NotFound,
        StatusCode.AlreadyExists or StatusCode.Aborted => StatusCodes.Status409Conflict,
        StatusCode.PermissionDenied => StatusCodes.Status403Forbidden,
        StatusCode.Unauthenticated => StatusCodes.Status401Unauthorized,
        StatusCode.ResourceExhausted => StatusCodes.Status429TooManyRequests,
        StatusCode.Unimplemented => StatusCodes.Status501NotImplemented,
        StatusCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>
    /// A gRPC call to a path no route and no service of this process serves: UNIMPLEMENTED, as a gRPC
    /// server says for a method it does not have (a web request keeps the usual 404).
    /// </summary>
    public static Task AnswerUnknownGrpcMethods(HttpContext context, RequestDelegate next) =>
        context.GetEndpoint() is null && IsGrpc(context.Request)
            ? WriteAsync(context, StatusCode.Unimplemented, StatusCodes.Status404NotFound, $"no service here serves {context.Request.Path}")
            : next(context);
}
