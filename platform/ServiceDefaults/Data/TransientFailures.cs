using System.Data.Common;
using System.Net.Sockets;
using Grpc.Core;
using Microsoft.EntityFrameworkCore.Storage;

namespace Platform.Data;

/// <summary>
/// Failures that pass by themselves: the database restarting or unreachable, a connection cut, a
/// command timing out. A call that hits one is answered UNAVAILABLE, the status gRPC clients
/// retry, instead of UNKNOWN; with a request_id the retry is safe whether or not the first
/// attempt committed. <see cref="Platform.ServiceDefaults.ErrorMappingInterceptor"/> applies it to every call.
/// </summary>
public static class TransientFailures
{
    public static Status? ToStatus(Exception exception) =>
        IsTransient(exception)
            ? new Status(StatusCode.Unavailable, "the service's database is unavailable at the moment: retry (with the same request_id for a create)")
            : null;

    /// <summary>True when the exception, or one it wraps, is a failure that passes by itself.</summary>
    public static bool IsTransient(Exception exception) =>
        exception is DbException { IsTransient: true } or RetryLimitExceededException or SocketException or TimeoutException
        || exception.InnerException is { } inner && IsTransient(inner);
}
