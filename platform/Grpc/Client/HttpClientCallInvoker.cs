using Grpc.Core;

namespace Grpc.Net.Client;

/// <summary>Starts calls on a <see cref="GrpcChannel"/>.</summary>
internal sealed class HttpClientCallInvoker(GrpcChannel channel) : CallInvoker
{
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        using var call = AsyncUnaryCall(method, host, options, request);
        return call.ResponseAsync.GetAwaiter().GetResult();
    }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var call = new GrpcCall<TRequest, TResponse>(channel, method, host, options);
        call.StartWithRequest(request);
        return new AsyncUnaryCall<TResponse>(call.ReadUnaryResponseAsync(), call.GetResponseHeadersAsync(), call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var call = new GrpcCall<TRequest, TResponse>(channel, method, host, options);
        call.StartWithRequest(request);
        return new AsyncServerStreamingCall<TResponse>(call.CreateResponseStream(), call.GetResponseHeadersAsync(), call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options)
    {
        var call = new GrpcCall<TRequest, TResponse>(channel, method, host, options);
        var writer = call.StartStreaming();
        return new AsyncClientStreamingCall<TRequest, TResponse>(writer, call.ReadUnaryResponseAsync(), call.GetResponseHeadersAsync(), call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options)
    {
        var call = new GrpcCall<TRequest, TResponse>(channel, method, host, options);
        var writer = call.StartStreaming();
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(writer, call.CreateResponseStream(), call.GetResponseHeadersAsync(), call.GetStatus, call.GetTrailers, call.Dispose);
    }
}
