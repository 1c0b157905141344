using Grpc.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Grpc.Net.Client.Configuration;
using Wsis.Gateway.Proxy;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;
using ProtoService = Google.Protobuf.Reflection.ServiceDescriptor;

namespace Wsis.Gateway.Web;

/// <summary>
/// The gRPC clients the gateway's own pages and downloads call the services with (Grpc.Net.ClientFactory),
/// over the same clusters as forwarded calls, so there is no second list of addresses: each call goes
/// to a destination YARP considers available, picked by the cluster's own load-balancing policy
/// (<see cref="ClusterDestinations"/>). A service's cluster is named after its package's area
/// (<c>teams.v1</c> → cluster <c>teams</c>). Reads (<c>Get…</c>, <c>List…</c>) and writes that carry a
/// <c>request_id</c> (the web form always sends one, so a retry returns the first receipt) are retried
/// on UNAVAILABLE by the channel's retry policy, each attempt picking a destination again.
/// </summary>
public static class ServiceClients
{
    public static IServiceCollection AddServiceClients(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.TryAddTransient<SignIn.SessionAccessToken>();
        Add<Wsis.Teams.V1.Teams.TeamsClient>(services, Wsis.Teams.V1.Teams.Descriptor);
        Add<Wsis.Teams.V1.Stakeholders.StakeholdersClient>(services, Wsis.Teams.V1.Stakeholders.Descriptor);
        Add<Wsis.Teams.V1.CoordinatorsMeetings.CoordinatorsMeetingsClient>(services, Wsis.Teams.V1.CoordinatorsMeetings.Descriptor);
        Add<Wsis.Consultations.V1.Consultations.ConsultationsClient>(services, Wsis.Consultations.V1.Consultations.Descriptor);
        Add<Wsis.Reporting.V1.Stocktaking.StocktakingClient>(services, Wsis.Reporting.V1.Stocktaking.Descriptor);
        Add<Wsis.Reporting.V1.Reports.ReportsClient>(services, Wsis.Reporting.V1.Reports.Descriptor);
        return services;
    }

    private static void Add<TClient>(IServiceCollection services, ProtoService service)
        where TClient : class
    {
        var cluster = ClusterOf(service);
        services.AddGrpcClient<TClient>(o =>
            {
                // Never dialled: ClusterDestinations puts a destination's address in each call.
                o.Address = new Uri($"http://{cluster}");
                o.ChannelOptionsActions.Add(channel => channel.ServiceConfig = RetryPolicyFor(service));
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                ConnectTimeout = TimeSpan.FromSeconds(5),
                UseProxy = false,
                // grpc-dotnet's own balancer would resolve and dial the channel's placeholder address
                // itself; the destination is YARP's pick (ClusterDestinations), so the channel stays a
                // plain HTTP/2 client (the switch grpc-dotnet reads for this).
                Properties = { ["__GrpcLoadBalancingDisabled"] = true },
            })
            .AddHttpMessageHandler(sp => ActivatorUtilities.CreateInstance<ClusterDestinations>(sp, cluster))
            // The signed-in person's access token, when there is one (SignIn/).
            .AddHttpMessageHandler<SignIn.SessionAccessToken>()
            // Connections are to fixed destinations: no reason to replace the handler (and its connections) every two minutes.
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
    }

    /// <summary><c>teams.v1.Teams</c> → <c>teams</c>.</summary>
    public static string ClusterOf(ProtoService service) => service.File.Package.Split('.')[0];

    public static ServiceConfig RetryPolicyFor(ProtoService service)
    {
        var retried = new MethodConfig
        {
            RetryPolicy = new RetryPolicy
            {
                MaxAttempts = 3,
                InitialBackoff = TimeSpan.FromMilliseconds(100),
                MaxBackoff = TimeSpan.FromSeconds(1),
                BackoffMultiplier = 2,
                RetryableStatusCodes = { StatusCode.Unavailable },
            },
        };
        foreach (var method in service.Methods.Where(m => m.Name.StartsWith("Get", StringComparison.Ordinal)
                     || m.Name.StartsWith("List", StringComparison.Ordinal) || m.InputType.FindFieldByName("request_id") is not null))
        {
            retried.Names.Add(new MethodName { Service = service.FullName, Method = method.Name });
        }

        return new ServiceConfig { MethodConfigs = { retried } };
    }
}

/// <summary>
/// Sends each call to a destination of the cluster that YARP considers available, picked by the
/// cluster's load-balancing policy, and tells YARP's passive health when the destination refused the
/// connection (as a forwarded call would).
/// </summary>
public sealed class ClusterDestinations(
    string clusterId,
    IProxyStateLookup proxy,
    IEnumerable<ILoadBalancingPolicy> policies,
    IDestinationHealthUpdater health,
    IHttpContextAccessor http) : DelegatingHandler
{
    private readonly Dictionary<string, ILoadBalancingPolicy> _policies = policies.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!proxy.TryGetCluster(clusterId, out var cluster))
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"no cluster '{clusterId}' is configured (ReverseProxy:Clusters:{clusterId})");
        }

        var destination = Pick(cluster)
            ?? throw new HttpRequestException(HttpRequestError.ConnectionError, $"no instance of cluster '{clusterId}' is available");
        var address = new Uri(destination.Model.Config.Address.TrimEnd('/') + "/");
        request.RequestUri = new Uri(address, request.RequestUri!.PathAndQuery.TrimStart('/'));
        try
        {
            return await base.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e) when (DestinationFailuresPolicy.CouldNotConnect(e) && cluster.Model.Config.HealthCheck?.Passive?.Enabled == true)
        {
            health.SetPassive(cluster, destination, DestinationHealth.Unhealthy,
                cluster.Model.Config.HealthCheck.Passive.ReactivationPeriod ?? TimeSpan.FromSeconds(30));
            throw;
        }
    }

    private DestinationState? Pick(ClusterState cluster)
    {
        var available = cluster.DestinationsState.AvailableDestinations;
        if (available.Count <= 1)
        {
            return available.Count == 1 ? available[0] : null;
        }

        var policy = _policies.GetValueOrDefault(cluster.Model.Config.LoadBalancingPolicy ?? LoadBalancingPolicies.PowerOfTwoChoices)
            ?? _policies[LoadBalancingPolicies.PowerOfTwoChoices];
        return policy.PickDestination(http.HttpContext ?? new DefaultHttpContext(), cluster, available);
    }
}
