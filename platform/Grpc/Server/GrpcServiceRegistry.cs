using Grpc.Core;
using Grpc.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Grpc.AspNetCore.Server.Internal;

/// <summary>The services mapped on this host (to tell an unknown service from an unknown method).</summary>
internal sealed class GrpcServiceRegistry
{
    private readonly HashSet<string> _services = new(StringComparer.Ordinal);

    public void AddService(string name)
    {
        lock (_services) _services.Add(name);
        HasAnyService = true;
    }

    public bool HasAnyService { get; private set; }

    public bool HasService(string name)
    {
        lock (_services) return _services.Contains(name);
    }

}

/// <summary>
/// Answers gRPC requests that matched no endpoint (unknown service or method) with
/// UNIMPLEMENTED. It runs around the whole pipeline and acts only after the request found no
/// endpoint, so matched calls pay nothing for it and non-gRPC requests keep their 404.
/// </summary>
internal sealed class UnimplementedStartupFilter(GrpcServiceRegistry registry, Microsoft.Extensions.Options.IOptions<GrpcServiceOptions> options,
    ILoggerFactory loggerFactory) : Microsoft.AspNetCore.Hosting.IStartupFilter
{
    public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
    {
        if (options.Value.IgnoreUnknownServices != true)
        {
            var logger = loggerFactory.CreateLogger("Grpc.AspNetCore.Server");
            app.Use(nextMiddleware => context =>
            {
                // No async state machine when the rest of the pipeline completed synchronously.
                var task = nextMiddleware(context);
                if (task.IsCompletedSuccessfully)
                {
                    AnswerIfUnmatched(context, registry, logger);
                    return Task.CompletedTask;
                }
                return AwaitThenAnswerAsync(task, context, registry, logger);
            });
        }
        next(app);
    };

    private static async Task AwaitThenAnswerAsync(Task task, HttpContext context, GrpcServiceRegistry registry, ILogger logger)
    {
        await task.ConfigureAwait(false);
        AnswerIfUnmatched(context, registry, logger);
    }

    private static void AnswerIfUnmatched(HttpContext context, GrpcServiceRegistry registry, ILogger logger)
    {
        if (context.Response.StatusCode == StatusCodes.Status404NotFound && !context.Response.HasStarted
            && context.GetEndpoint() is null && registry.HasAnyService
            && HttpMethods.IsPost(context.Request.Method) && GrpcProtocol.IsGrpcContentType(context.Request.ContentType))
        {
            WriteUnimplemented(context, registry, logger);
        }
    }

    private static void WriteUnimplemented(HttpContext context, GrpcServiceRegistry registry, ILogger logger)
    {
        var path = context.Request.Path.Value ?? "";
        var slash = path.IndexOf('/', 1);
        var service = slash > 1 ? path[1..slash] : path.TrimStart('/');
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcProtocol.ContentType;
        response.Headers[GrpcProtocol.StatusTrailer] = "12";
        response.Headers[GrpcProtocol.MessageTrailer] = registry.HasService(service) ? "Method is unimplemented." : "Service is unimplemented.";
        ServerLog.Unimplemented(logger, path);
    }
}
