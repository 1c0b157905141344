using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Platform.Data;
using Platform.Domain;

namespace Platform.ServiceDefaults;

/// <summary>
/// The one place where what a handler throws becomes what a caller reads: a broken domain rule →
/// the status of its kind with the rule's message; a failure that passes by itself (database or
/// broker unreachable, a timeout) → <c>UNAVAILABLE</c>; a lost race on a unique index or a
/// concurrency token → <c>ABORTED</c>; anything else → <c>UNKNOWN</c> with no internals (logged with
/// its trace id, which the caller gets to quote). An <see cref="RpcException"/> passes as thrown.
/// </summary>
public sealed partial class ErrorMappingInterceptor(ILogger<ErrorMappingInterceptor> logger) : Interceptor
{
    /// <summary>Trailer telling a client how long to wait before retrying (grpc-dotnet's and grpc-core's retry policies honour it).</summary>
    public const string RetryPushbackTrailer = "grpc-retry-pushback-ms";

    /// <summary>The same hint under the name this project's clients read since before retry policies.</summary>
    public const string RetryAfterTrailer = "retry-after-ms";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (Map(e, context) is { } mapped)
        {
            throw mapped;
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception e) when (Map(e, context) is { } mapped)
        {
            throw mapped;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (Map(e, context) is { } mapped)
        {
            throw mapped;
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception e) when (Map(e, context) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <summary>The exception the caller should see instead, or null to let this one through unchanged.</summary>
    private RpcException? Map(Exception exception, ServerCallContext context)
    {
        switch (exception)
        {
            case RpcException:
                return null;
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                // The caller left or its deadline passed: grpc-dotnet answers CANCELLED / DEADLINE_EXCEEDED.
                return null;
            case DomainException rule:
                return ForRule(rule);
            case DbUpdateConcurrencyException:
                return new RpcException(new Status(StatusCode.Aborted, "the record changed while the request was processed; retry the request"));
        }

        if (TransientFailures.IsTransient(exception))
        {
            LogTransient(logger, context.Method, exception.GetType().Name);
            var status = TransientFailures.ToStatus(exception)!.Value;
            return new RpcException(status, RetryAfter(TimeSpan.FromSeconds(1)));
        }

        if (exception is DbUpdateException)
        {
            // A unique index refused a change a concurrent request made first (a second membership,
            // a second ballot for the same team and office…).
            return new RpcException(new Status(StatusCode.Aborted, "a concurrent request made a conflicting change; retry the request"));
        }

        var trace = Activity.Current?.TraceId.ToString() ?? context.GetHttpContext().TraceIdentifier;
        LogUnexpected(logger, exception, context.Method, trace);
        return new RpcException(new Status(StatusCode.Unknown, $"the service failed unexpectedly; the failure was logged under trace {trace}"));
    }

    private static RpcException ForRule(DomainException rule)
    {
        var code = rule.Kind switch
        {
            DomainErrorKind.InvalidArgument => StatusCode.InvalidArgument,
            DomainErrorKind.FailedPrecondition => StatusCode.FailedPrecondition,
            DomainErrorKind.PermissionDenied => StatusCode.PermissionDenied,
            DomainErrorKind.AlreadyExists => StatusCode.AlreadyExists,
            DomainErrorKind.NotFound => StatusCode.NotFound,
            DomainErrorKind.Unavailable => StatusCode.Unavailable,
            DomainErrorKind.Aborted => StatusCode.Aborted,
            _ => StatusCode.Unknown,
        };
        return new RpcException(new Status(code, rule.Message), rule.RetryAfter is { } wait ? RetryAfter(wait) : Metadata.Empty);
    }

    /// <summary>Trailers asking the client to come back after <paramref name="wait"/>.</summary>
    public static Metadata RetryAfter(TimeSpan wait)
    {
        var milliseconds = ((long)Math.Ceiling(wait.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
        return new Metadata { { RetryPushbackTrailer, milliseconds }, { RetryAfterTrailer, milliseconds } };
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "{Method} failed unexpectedly (trace {Trace})")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string method, string trace);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "{Method} answered UNAVAILABLE: {Failure}")]
    private static partial void LogTransient(ILogger logger, string method, string failure);
}
