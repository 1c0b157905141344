using Grpc.AspNetCore.Server;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Microsoft.Extensions.DependencyInjection
{
    /// <summary>gRPC health checks, as grpc-dotnet's Grpc.AspNetCore.HealthChecks.</summary>
    public static class GrpcHealthChecksServiceCollectionExtensions
    {
        /// <summary>
        /// Registers <see cref="HealthServiceImpl"/> (a singleton: set statuses on it by service
        /// name) and ASP.NET Core health checks whose aggregate result is the status of the whole
        /// server (service name ""). "" is SERVING from start-up until a check fails; every status
        /// turns NOT_SERVING when the host begins to stop. Returns the health checks builder so that
        /// checks can be added.
        /// </summary>
        public static IHealthChecksBuilder AddGrpcHealthChecks(this IServiceCollection services)
        {
            ArgumentNullException.ThrowIfNull(services);
            services.TryAddSingleton<HealthServiceImpl>();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IHealthCheckPublisher, GrpcHealthCheckPublisher>());
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, GrpcHealthLifetime>());
            return services.AddHealthChecks();
        }
    }

    internal sealed class GrpcHealthCheckPublisher(HealthServiceImpl health) : IHealthCheckPublisher
    {
        public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
        {
            health.SetStatus("", report.Status == HealthStatus.Unhealthy ? ServingStatus.NotServing : ServingStatus.Serving);
            return Task.CompletedTask;
        }
    }

    internal sealed class GrpcHealthLifetime(HealthServiceImpl health, IHostApplicationLifetime lifetime) : IHostedService
    {
        private CancellationTokenRegistration _stopping;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            health.SetStatus("", ServingStatus.Serving);
            _stopping = lifetime.ApplicationStopping.Register(health.Shutdown);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            _stopping.Dispose();
            health.Shutdown();
            return Task.CompletedTask;
        }
    }
}

namespace Microsoft.AspNetCore.Builder
{
    public static class GrpcHealthChecksEndpointRouteBuilderExtensions
    {
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IServiceProvider, GrpcServiceEndpointConventionBuilder> Mapped = new();

        /// <summary>Maps grpc.health.v1.Health (Check, Watch). Needs AddGrpc() and AddGrpcHealthChecks().
        /// Mapping it again in the same application returns the first mapping: the embedded host runs
        /// several service modules that each map it, and a second endpoint would make the route ambiguous.</summary>
        public static GrpcServiceEndpointConventionBuilder MapGrpcHealthChecksService(this IEndpointRouteBuilder builder) =>
            Mapped.GetValue(builder.ServiceProvider, _ => builder.MapGrpcService<HealthServiceImpl>());
    }
}
