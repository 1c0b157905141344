using Microsoft.AspNetCore.Builder;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Platform.Testing.V1;

namespace Grpc.Tests;

/// <summary>Every way a call can fail, as the client application sees it.</summary>
public class ErrorPathTests
{
    [Fact]
    public async Task Handler_exception_is_unknown_without_its_details()
    {
        var logs = new CapturedLogs();
        await using var server = await TestServer.StartAsync(logs: logs);
        var ex = await Assert.ThrowsAsync<RpcException>(() => server.CreateClient().UnaryAsync(new ProbeRequest { Behaviour = "throw" }).ResponseAsync);
        Assert.Equal(StatusCode.Unknown, ex.StatusCode);
        Assert.Equal("Exception was thrown by handler.", ex.Status.Detail);
        Assert.DoesNotContain("hunter2", ex.Message);

        // The client was there to get UNKNOWN: a server fault, logged as an error with the type only.
        var failed = await logs.WaitForAsync(e => e.Level == LogLevel.Error, TimeSpan.FromSeconds(10), "the handler's failure");
        Assert.Equal("gRPC method /platform.testing.v1.Probe/Unary failed with an unhandled InvalidOperationException; the client got UNKNOWN.", failed.Message);
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("the client left", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Detailed_errors_show_the_exception_message_when_enabled()
    {
        await using var server = await TestServer.StartAsync(o => o.EnableDetailedErrors = true);
        var ex = await Assert.ThrowsAsync<RpcException>(() => server.CreateClient().UnaryAsync(new ProbeRequest { Behaviour = "throw" }).ResponseAsync);
        Assert.Equal(StatusCode.Unknown, ex.StatusCode);
        Assert.Contains("InvalidOperationException", ex.Status.Detail);
    }

    [Fact]
    public async Task A_mapped_handler_exception_ends_the_call_with_the_mapped_status_and_others_stay_unknown()
    {
        await using var server = await TestServer.StartAsync(o => o.MapException = e =>
            e is InvalidOperationException ? new Status(StatusCode.Unavailable, "retry later") : null);
        var unary = await Assert.ThrowsAsync<RpcException>(() => server.CreateClient().UnaryAsync(new ProbeRequest { Behaviour = "throw" }).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, unary.StatusCode);
        Assert.Equal("retry later", unary.Status.Detail);

        using var call = server.CreateClient().ClientStream();
        await call.RequestStream.WriteAsync(new ProbeRequest { Behaviour = "throw" });
        await call.RequestStream.CompleteAsync();
        var streamed = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, streamed.StatusCode);

        // An RpcException is the handler's own answer: never remapped.
        var own = await Assert.ThrowsAsync<RpcException>(() => server.CreateClient().UnaryAsync(new ProbeRequest { Behaviour = "rpc-error" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, own.StatusCode);
    }

    [Fact]
    public async Task Streaming_handler_exception_is_unknown_too()
    {
        await using var server = await TestServer.StartAsync();
        using var call = server.CreateClient().ClientStream();
        await call.RequestStream.WriteAsync(new ProbeRequest { Behaviour = "throw" });
        await call.RequestStream.CompleteAsync();
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.Unknown, ex.StatusCode);
        Assert.DoesNotContain("hunter2", ex.Status.Detail);
    }

    [Fact]
    public async Task RpcException_status_message_and_trailers_reach_the_client()
    {
        await using var server = await TestServer.StartAsync();
        var call = server.CreateClient().UnaryAsync(new ProbeRequest { Behaviour = "rpc-error" });
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.Equal("Team 'ünï 42' was not found (100%).", ex.Status.Detail);
        Assert.Equal("missing", ex.Trailers.GetValue("x-reason"));
        Assert.Equal(new byte[] { 0, 1, 2, 250 }, ex.Trailers.GetValueBytes("x-detail-bin"));
        Assert.Equal(StatusCode.NotFound, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Status_set_on_the_context_ends_the_call_with_it()
    {
        await using var server = await TestServer.StartAsync();
        var ex = await Assert.ThrowsAsync<RpcException>(() => server.CreateClient().UnaryAsync(new ProbeRequest { Behaviour = "set-status" }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Equal("set on the context", ex.Status.Detail);
        Assert.Equal("precondition", ex.Trailers.GetValue("x-why"));
    }

    [Fact]
    public async Task Unknown_method_of_a_known_service_is_unimplemented()
    {
        await using var server = await TestServer.StartAsync();
        var invoker = server.CreateChannel().CreateCallInvoker();
        var method = new Method<ProbeRequest, ProbeReply>(MethodType.Unary, "platform.testing.v1.Probe", "NoSuchMethod",
            Marshallers.Create<ProbeRequest>(m => m.ToByteArray(), ProbeRequest.Parser.ParseFrom),
            Marshallers.Create<ProbeReply>(m => m.ToByteArray(), ProbeReply.Parser.ParseFrom));
        var ex = await Assert.ThrowsAsync<RpcException>(() => invoker.AsyncUnaryCall(method, null, default, new ProbeRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
        Assert.Equal("Method is unimplemented.", ex.Status.Detail);
    }

    [Fact]
    public async Task Unknown_service_is_unimplemented()
    {
        await using var server = await TestServer.StartAsync();
        var client = new Unmapped.UnmappedClient(server.CreateChannel());
        var ex = await Assert.ThrowsAsync<RpcException>(() => client.NothingAsync(new ProbeRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
        Assert.Equal("Service is unimplemented.", ex.Status.Detail);
    }

    [Fact]
    public async Task Request_over_the_server_limit_is_resource_exhausted()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxReceiveMessageSize = 1024);
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            server.CreateClient().UnaryAsync(new ProbeRequest { Blob = ByteString.CopyFrom(new byte[2048]) }).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task Default_server_limit_is_four_mebibytes()
    {
        await using var server = await TestServer.StartAsync();
        var client = server.CreateClient();
        await client.UnaryAsync(new ProbeRequest { Blob = ByteString.CopyFrom(new byte[4 * 1024 * 1024 - 100]) });
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            client.UnaryAsync(new ProbeRequest { Blob = ByteString.CopyFrom(new byte[4 * 1024 * 1024 + 1]) }).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task Response_over_the_server_send_limit_is_resource_exhausted()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxSendMessageSize = 1000);
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            server.CreateClient().UnaryAsync(new ProbeRequest { Behaviour = "large", Count = 5000 }).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task Response_over_the_client_limit_is_resource_exhausted()
    {
        await using var server = await TestServer.StartAsync();
        var client = server.CreateClient(new GrpcChannelOptions { MaxReceiveMessageSize = 1000 });
        var ex = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(new ProbeRequest { Behaviour = "large", Count = 5000 }).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task Request_over_the_client_send_limit_fails_before_sending()
    {
        await using var server = await TestServer.StartAsync();
        var client = server.CreateClient(new GrpcChannelOptions { MaxSendMessageSize = 100 });
        var ex = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(new ProbeRequest { Blob = ByteString.CopyFrom(new byte[500]) }).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Equal(0, server.Recorder.Calls);
    }

    [Fact]
    public async Task Server_that_is_not_there_is_unavailable()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}", new GrpcChannelOptions { MaxRetryAttempts = 1 });
        var ex = await Assert.ThrowsAsync<RpcException>(() => new Probe.ProbeClient(channel).UnaryAsync(new ProbeRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
    }

    [Fact]
    public async Task Non_grpc_http_status_is_mapped_to_a_grpc_status()
    {
        await using var server = await TestServer.StartAsync(map: app =>
            app.MapPost("/teapot.Service/Call", (Microsoft.AspNetCore.Http.HttpContext c) => { c.Response.StatusCode = 503; return Task.CompletedTask; }));
        var invoker = server.CreateChannel().CreateCallInvoker();
        var method = new Method<ProbeRequest, ProbeReply>(MethodType.Unary, "teapot.Service", "Call",
            Marshallers.Create<ProbeRequest>(m => m.ToByteArray(), ProbeRequest.Parser.ParseFrom),
            Marshallers.Create<ProbeReply>(m => m.ToByteArray(), ProbeReply.Parser.ParseFrom));
        var ex = await Assert.ThrowsAsync<RpcException>(() => invoker.AsyncUnaryCall(method, null, default, new ProbeRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Contains("503", ex.Status.Detail);
    }
}
