using Grpc.Core;
using Grpc.Shared;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.Logging;

namespace Grpc.AspNetCore.Server.Internal;

/// <summary>The services mapped on this host (to tell an unknown service from an unknown method).</summary>
internal sealed class GrpcServiceRegistry
{
    private readonly HashSet<string> _services = new(StringComparer.Ordinal);
    private readonly HashSet<IEndpointRouteBuilder> _fallbackMapped = [];

    public void AddService(string name)
    {
        lock (_services) _services.Add(name);
    }

    public bool HasService(string name)
    {
        lock (_services) return _services.Contains(name);
    }

    /// <summary>True the first time for a route builder: the UNIMPLEMENTED fallback is mapped once per builder.</summary>
    public bool ShouldMapFallback(IEndpointRouteBuilder builder)
    {
        lock (_fallbackMapped) return _fallbackMapped.Add(builder);
    }
}

/// <summary>Marks the UNIMPLEMENTED fallback endpoint; it only matches gRPC requests.</summary>
internal sealed class UnimplementedFallbackMetadata;

/// <summary>Answers gRPC requests for services or methods this host does not serve.</summary>
internal static class UnimplementedEndpoint
{
    public static RequestDelegate Create(GrpcServiceRegistry registry, ILogger logger) => context =>
    {
        var service = context.Request.RouteValues["unimplementedService"] as string ?? "";
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcProtocol.ContentType;
        response.Headers[GrpcProtocol.StatusTrailer] = "12";
        response.Headers[GrpcProtocol.MessageTrailer] = registry.HasService(service) ? "Method is unimplemented." : "Service is unimplemented.";
        ServerLog.Unimplemented(logger, context.Request.Path);
        return Task.CompletedTask;
    };
}

/// <summary>Keeps the UNIMPLEMENTED fallback away from requests that are not gRPC.</summary>
internal sealed class GrpcFallbackMatcherPolicy : MatcherPolicy, IEndpointSelectorPolicy
{
    public override int Order => 0;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints)
    {
        foreach (var e in endpoints)
        {
            if (e.Metadata.GetMetadata<UnimplementedFallbackMetadata>() is not null) return true;
        }
        return false;
    }

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        for (var i = 0; i < candidates.Count; i++)
        {
            if (candidates[i].Endpoint.Metadata.GetMetadata<UnimplementedFallbackMetadata>() is not null
                && !GrpcProtocol.IsGrpcContentType(httpContext.Request.ContentType))
            {
                candidates.SetValidity(i, false);
            }
        }
        return Task.CompletedTask;
    }
}
