using Google.Protobuf;
using Microsoft.Extensions.Options;
using Wsis.Gateway.Json;
using Wsis.Gateway.Proxy;

namespace Wsis.Gateway.Web;

/// <summary>A gRPC status a service answered with, carried up to the page that asked.</summary>
public sealed class ServiceCallException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>Unary calls the web pages make to the services, through the same routes, load
/// balancing and health state as forwarded gRPC calls (no second list of addresses).</summary>
public sealed class PublicServices(ProxyConfiguration proxy, RequestForwarder forwarder, IOptions<JsonTranscodingOptions> options)
{
    public async Task<TResponse> CallAsync<TResponse>(HttpContext context, string service, string method, IMessage request, MessageParser<TResponse> parser)
        where TResponse : IMessage<TResponse>
    {
        var path = $"/{service}/{method}";
        var snapshot = proxy.Current;
        var route = snapshot.Match(HttpMethods.Post, path) ?? throw new ServiceCallException(GrpcProtocol.Unimplemented, $"no route serves '{service}'");
        var result = await forwarder.CallUnaryAsync(context, route, snapshot.Clusters[route.ClusterId], path, request.ToByteArray(), options.Value.MaxResponseBytes);
        if (result.Status != GrpcProtocol.Ok)
        {
            throw new ServiceCallException(result.Status, result.Message);
        }
        return parser.ParseFrom(result.Payload!);
    }

    /// <summary>Every page of a list method, following next_page_token.</summary>
    public async Task<List<TItem>> ListAllAsync<TRequest, TResponse, TItem>(HttpContext context, string service, string method,
        Func<string, TRequest> request, MessageParser<TResponse> parser, Func<TResponse, (IEnumerable<TItem> Items, string Next)> page, int maxPages = 50)
        where TRequest : IMessage where TResponse : IMessage<TResponse>
    {
        var items = new List<TItem>();
        var token = "";
        for (var i = 0; i < maxPages; i++)
        {
            var response = await CallAsync(context, service, method, request(token), parser);
            var (pageItems, next) = page(response);
            items.AddRange(pageItems);
            if (string.IsNullOrEmpty(next))
            {
                break;
            }
            token = next;
        }
        return items;
    }
}
