using Grpc.AspNetCore.Server;
using Grpc.AspNetCore.Server.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps gRPC services as endpoints, as grpc-dotnet's <c>MapGrpcService&lt;T&gt;()</c>.</summary>
public static class GrpcEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps every method of <typeparamref name="TService"/> (a class deriving from a generated
    /// <c>XxxBase</c>) as <c>POST /package.Service/Method</c>. The service instance is resolved
    /// from DI when registered, otherwise created per call. Attributes on the class and on the
    /// method (e.g. [Authorize]) become endpoint metadata.
    /// </summary>
    public static GrpcServiceEndpointConventionBuilder MapGrpcService<TService>(this IEndpointRouteBuilder builder) where TService : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.ServiceProvider;
        var registry = services.GetService<GrpcServiceRegistry>()
            ?? throw new InvalidOperationException("Call services.AddGrpc() before MapGrpcService<T>().");
        var options = services.GetRequiredService<IOptions<GrpcServiceOptions>>().Value;
        var shutdown = services.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Grpc.AspNetCore.Server");
        var activator = new ServiceActivator<TService>(services);

        var serviceAttributes = typeof(TService).GetCustomAttributes(inherit: true);
        var conventions = new List<IEndpointConventionBuilder>();
        foreach (var discovered in ServiceMethodDiscovery<TService>.Discover())
        {
            var runtime = new ServerMethodRuntime(discovered.Method, options, shutdown, logger);
            var handler = discovered.CreateHandler(runtime, activator);
            var endpoint = builder.Map(RoutePatternFactory.Parse(discovered.Method.FullName), handler.HandleCallAsync);
            endpoint.WithDisplayName($"gRPC - {discovered.Method.FullName}");
            endpoint.Add(b =>
            {
                foreach (var a in serviceAttributes) b.Metadata.Add(a);
                if (discovered.Implementation is { } info)
                {
                    foreach (var a in info.GetCustomAttributes(inherit: true)) b.Metadata.Add(a);
                }
                b.Metadata.Add(new HttpMethodMetadata(["POST"]));
                b.Metadata.Add(new GrpcMethodMetadata(typeof(TService), discovered.Method));
            });
            registry.AddService(discovered.Method.ServiceName);
            conventions.Add(endpoint);
        }

        return new GrpcServiceEndpointConventionBuilder(conventions);
    }
}

/// <summary>Applies conventions (authorization, CORS, metadata…) to all methods of a mapped service.</summary>
public sealed class GrpcServiceEndpointConventionBuilder : IEndpointConventionBuilder
{
    private readonly IReadOnlyList<IEndpointConventionBuilder> _builders;

    internal GrpcServiceEndpointConventionBuilder(IReadOnlyList<IEndpointConventionBuilder> builders) => _builders = builders;

    public void Add(Action<EndpointBuilder> convention)
    {
        foreach (var b in _builders) b.Add(convention);
    }

    public void Finally(Action<EndpointBuilder> finallyConvention)
    {
        foreach (var b in _builders) b.Finally(finallyConvention);
    }
}
