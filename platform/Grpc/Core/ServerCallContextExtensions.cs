using Microsoft.AspNetCore.Http;

namespace Grpc.Core;

/// <summary>Reaches ASP.NET Core from a handler (user, connection, request services).</summary>
public static class ServerCallContextExtensions
{
    /// <summary>The <c>UserState</c> key under which a test double may put an <see cref="HttpContext"/>.</summary>
    public const string HttpContextKey = "__HttpContext";

    public static HttpContext GetHttpContext(this ServerCallContext serverCallContext)
    {
        ArgumentNullException.ThrowIfNull(serverCallContext);
        if (serverCallContext is Grpc.AspNetCore.Server.Internal.HttpServerCallContext http)
        {
            return http.HttpContext;
        }
        if (serverCallContext.UserState.TryGetValue(HttpContextKey, out var value) && value is HttpContext httpContext)
        {
            return httpContext;
        }
        throw new InvalidOperationException("This ServerCallContext does not belong to an ASP.NET Core request.");
    }
}
