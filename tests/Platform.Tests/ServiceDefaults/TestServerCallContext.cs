using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Platform.Tests.ServiceDefaults;

/// <summary>A call context over a given HttpContext, as the gRPC layer provides one to a service method.</summary>
public sealed class TestServerCallContext : ServerCallContext
{
    private readonly Dictionary<object, object> _userState = new();

    public TestServerCallContext(string method, HttpContext httpContext)
    {
        MethodCore = method;
        // grpc-dotnet's GetHttpContext() looks here for contexts it did not create (tests).
        _userState["__HttpContext"] = httpContext;
    }

    protected override string MethodCore { get; }
    protected override string HostCore => "127.0.0.1";
    protected override string PeerCore => "ipv4:127.0.0.1:1";
    protected override DateTime DeadlineCore => DateTime.MaxValue;
    protected override Metadata RequestHeadersCore { get; } = new();
    protected override CancellationToken CancellationTokenCore => CancellationToken.None;
    protected override Metadata ResponseTrailersCore { get; } = new();
    protected override Status StatusCore { get; set; }
    protected override WriteOptions? WriteOptionsCore { get; set; }
    protected override IDictionary<object, object> UserStateCore => _userState;

    protected override AuthContext AuthContextCore { get; } = new(null, new Dictionary<string, List<AuthProperty>>());

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => throw new NotSupportedException();

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}
