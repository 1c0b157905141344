using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace Wsis.Gateway.Proxy;

/// <summary><c>Gateway:Forwarder</c>: how the gateway connects to destinations.</summary>
public sealed class ForwarderOptions
{
    public const string SectionName = "Gateway:Forwarder";

    /// <summary>A destination that does not accept a connection within this time counts as unreachable (a black-holed address fails, never hangs).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>An HTTP/2 ping after this much silence on a connection with calls in progress finds a destination that vanished without closing it.</summary>
    public TimeSpan KeepAlivePingDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times a GET or HEAD without a body is sent again, each time to another destination,
    /// when the one it went to refused the connection or closed it before answering (<see cref="SafeRetries"/>); 0 for never.</summary>
    public int SafeRetries { get; set; } = 2;
}

/// <summary>
/// The clusters' HTTP clients (YARP's <see cref="ForwarderHttpClientFactory"/> extension point): YARP's
/// handler with the <see cref="ForwarderOptions"/> settings, and a step that reads a gRPC health
/// probe's answer to the end (<see cref="GrpcHealthProbe"/>); every other call passes straight through.
/// </summary>
public sealed class ForwarderClients(IOptions<ForwarderOptions> options, ILogger<ForwarderHttpClientFactory> logger)
    : ForwarderHttpClientFactory(logger)
{
    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        handler.ConnectTimeout = options.Value.ConnectTimeout;
        handler.KeepAlivePingDelay = options.Value.KeepAlivePingDelay;
        handler.KeepAlivePingTimeout = TimeSpan.FromSeconds(10);
        handler.KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests;
    }

    protected override HttpMessageHandler WrapHandler(ForwarderHttpClientContext context, HttpMessageHandler handler) =>
        new ProbeAnswers(handler);

    private sealed class ProbeAnswers(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request is GrpcHealthProbe probe)
            {
                await probe.ReadAnswerAsync(response, cancellationToken);
            }

            return response;
        }
    }
}
