using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Grpc.AspNetCore.Server.Internal;

/// <summary>The <see cref="ServerCallContext"/> of a call served over an ASP.NET Core request.</summary>
internal sealed class HttpServerCallContext(HttpContext httpContext, string method) : ServerCallContext
{
    private Metadata? _requestHeaders;
    private Metadata? _responseTrailers;

    public HttpContext HttpContext { get; } = httpContext;

    internal DateTime DeadlineUtc { get; set; } = DateTime.MaxValue;
    internal CancellationToken CallCancellation { get; set; }

    protected override string MethodCore => method;
    protected override string HostCore => HttpContext.Request.Host.Value ?? "";
    protected override string PeerCore => HttpContext.Connection.RemoteIpAddress is { } ip
        ? (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"ipv6:[{ip}]:{HttpContext.Connection.RemotePort}" : $"ipv4:{ip}:{HttpContext.Connection.RemotePort}")
        : "unknown";
    protected override DateTime DeadlineCore => DeadlineUtc;
    protected override Metadata RequestHeadersCore => _requestHeaders ??= new Metadata();
    protected override CancellationToken CancellationTokenCore => CallCancellation;
    protected override Metadata ResponseTrailersCore => _responseTrailers ??= new Metadata();
    protected override Status StatusCore { get; set; }
    protected override WriteOptions? WriteOptionsCore { get; set; }
    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}
