using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;

namespace Wsis.Gateway.Proxy;

public static class ReverseProxyExtensions
{
    /// <summary>
    /// The gateway's additions to YARP, each through YARP's own extension points: gRPC health probes
    /// (<see cref="GrpcHealthPolicy"/>), passive health that only connection failures trip
    /// (<see cref="DestinationFailuresPolicy"/>), the clusters' HTTP clients (<see cref="ForwarderClients"/>)
    /// and the hop count that stops forwarding loops (<see cref="ForwardingLoops"/>).
    /// </summary>
    public static IReverseProxyBuilder AddGatewayExtensions(this IReverseProxyBuilder proxy, IConfiguration configuration)
    {
        var services = proxy.Services;
        services.AddOptions<ForwarderOptions>().Bind(configuration.GetSection(ForwarderOptions.SectionName));
        services.Replace(ServiceDescriptor.Singleton<IForwarderHttpClientFactory, ForwarderClients>());
        services.Replace(ServiceDescriptor.Singleton<IProbingRequestFactory, GrpcHealthProbeRequests>());
        services.AddSingleton<IActiveHealthCheckPolicy, GrpcHealthPolicy>();
        services.AddSingleton<IPassiveHealthCheckPolicy, DestinationFailuresPolicy>();
        return proxy.AddTransforms(ForwardingLoops.CountHop);
    }
}
