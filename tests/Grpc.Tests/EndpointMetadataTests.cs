using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Grpc.Tests;

public class EndpointMetadataTests
{
    [Fact]
    public async Task Every_method_is_a_post_endpoint_carrying_the_service_and_handler_attributes()
    {
        await using var server = await TestServer.StartAsync();
        var endpoints = server.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/platform.testing.v1.Probe/", StringComparison.Ordinal) == true)
            .ToDictionary(e => e.RoutePattern.RawText!);
        Assert.Equal(
            ["/platform.testing.v1.Probe/ClientStream", "/platform.testing.v1.Probe/Duplex", "/platform.testing.v1.Probe/ServerStream", "/platform.testing.v1.Probe/Unary"],
            endpoints.Keys.Order());

        var unary = endpoints["/platform.testing.v1.Probe/Unary"];
        Assert.Equal(["POST"], unary.Metadata.GetRequiredMetadata<HttpMethodMetadata>().HttpMethods);
        var grpc = unary.Metadata.GetRequiredMetadata<GrpcMethodMetadata>();
        Assert.Equal(typeof(ProbeService), grpc.ServiceType);
        Assert.Equal(Grpc.Core.MethodType.Unary, grpc.Method.Type);
        // Method attributes come after class attributes, so the most specific one wins.
        Assert.Equal(["service", "unary"], unary.Metadata.GetOrderedMetadata<ProbeMarkerAttribute>().Select(a => a.Name));
        Assert.Equal(["service"], endpoints["/platform.testing.v1.Probe/Duplex"].Metadata.GetOrderedMetadata<ProbeMarkerAttribute>().Select(a => a.Name));
    }
}
