using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Platform.Testing.V1;
using Testing;

namespace Grpc.Tests;

/// <summary>Deadlines, cancellation, shutdown and retries: the ends of a call other than success.</summary>
public class LifecycleTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Deadline_cancels_the_handler_and_the_client_gets_deadline_exceeded()
    {
        await using var server = await TestServer.StartAsync();
        var client = server.CreateClient();
        // A first call opens the connection, so that the deadline below is spent in the handler.
        await client.UnaryAsync(new ProbeRequest());
        var call = client.UnaryAsync(new ProbeRequest { Behaviour = "sleep" }, deadline: DateTime.UtcNow.AddMilliseconds(300));
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Wait));
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        await server.Recorder.HandlerCancelled.Task.WaitAsync(Wait);
    }

    [Fact]
    public async Task Server_enforces_the_deadline_even_when_the_client_does_not()
    {
        await using var server = await TestServer.StartAsync();
        // A raw request: only the grpc-timeout header, no client-side timer.
        var (response, _) = await RawHttp2.SendAsync(server.CreateRawClient(),
            RawHttp2.Request("/platform.testing.v1.Probe/Unary", new ByteArrayContent(RawHttp2.Frame(new ProbeRequest { Behaviour = "sleep" })),
                "application/grpc", ("grpc-timeout", "200m"))).WaitAsync(Wait);
        Assert.Equal("4", RawHttp2.Header(response, "grpc-status") ?? RawHttp2.Trailer(response, "grpc-status"));
        Assert.True(server.Recorder.HandlerCancelled.Task.IsCompleted);
    }

    [Fact]
    public async Task Deadline_already_passed_fails_without_calling_the_server()
    {
        await using var server = await TestServer.StartAsync();
        var call = server.CreateClient().UnaryAsync(new ProbeRequest(), deadline: DateTime.UtcNow.AddSeconds(-1));
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.Equal(0, server.Recorder.Calls);
    }

    [Fact]
    public async Task Deadline_applies_to_streaming_reads()
    {
        await using var server = await TestServer.StartAsync();
        var client = server.CreateClient();
        await client.UnaryAsync(new ProbeRequest());
        using var call = client.ServerStream(new ProbeRequest { Count = 2, Behaviour = "sleep" }, deadline: DateTime.UtcNow.AddMilliseconds(400));
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Wait));
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        await server.Recorder.HandlerCancelled.Task.WaitAsync(Wait);
    }

    [Fact]
    public async Task Client_cancellation_reaches_the_handler()
    {
        await using var server = await TestServer.StartAsync();
        using var cts = new CancellationTokenSource();
        var call = server.CreateClient().UnaryAsync(new ProbeRequest { Behaviour = "sleep" }, cancellationToken: cts.Token);
        await Task.Delay(200);
        cts.Cancel();
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Wait));
        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
        await server.Recorder.HandlerCancelled.Task.WaitAsync(Wait);
    }

    [Theory]
    [InlineData("Unary", "reset-stream")]
    [InlineData("Unary", "drop-connection")]
    [InlineData("ClientStream", "reset-stream")]
    [InlineData("ClientStream", "drop-connection")]
    public async Task A_client_that_leaves_while_the_server_reads_its_request_is_not_logged_as_a_server_error(string method, string how)
    {
        var logs = new CapturedLogs();
        var buffered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task WatchTheCall(HttpContext context, RequestDelegate next)
        {
            // Look at the body without consuming it: the client must leave while the call holds
            // part of a message and waits for the rest.
            var body = context.Request.BodyReader;
            var read = await body.ReadAsync();
            body.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            buffered.TrySetResult();
            await next(context);
            ended.TrySetResult();
        }
        // The services map transient failures (socket errors among them) to UNAVAILABLE; mapping
        // every exception here makes any that comes from the client leaving meet the mapping too.
        await using var server = await TestServer.StartAsync(o => o.MapException = _ => new Status(StatusCode.Unavailable, "retry later"),
            logs: logs, map: app => app.Use(WatchTheCall));
        await using var proxy = TcpProxy.Start("127.0.0.1", server.Address.Port);
        using var client = new HttpClient(new SocketsHttpHandler()) { BaseAddress = new Uri($"http://127.0.0.1:{proxy.Port}") };

        // The length prefix promises 300 bytes of message; only half of them are sent.
        var frame = RawHttp2.Frame(new ProbeRequest { Blob = Google.Protobuf.ByteString.CopyFrom(new byte[300]) });
        using var cts = new CancellationTokenSource();
        var sending = client.SendAsync(RawHttp2.Request($"/platform.testing.v1.Probe/{method}", new StalledContent(frame[..150])),
            HttpCompletionOption.ResponseHeadersRead, cts.Token);
        await buffered.Task.WaitAsync(Wait);

        if (how == "reset-stream") await cts.CancelAsync(); // SocketsHttpHandler sends RST_STREAM (CANCEL)
        else await proxy.DropAsync(); // TCP reset of the whole connection
        await Assert.ThrowsAnyAsync<Exception>(() => sending.WaitAsync(Wait));
        await ended.Task.WaitAsync(Wait);

        // The call has ended on the server, and with it whatever the gRPC layer logs for it.
        Assert.Empty(logs.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => e.Message));
        var left = await logs.WaitForAsync(e => e.Message.Contains("the client left", StringComparison.Ordinal), Wait, "the call ended because the client left");
        Assert.Equal(LogLevel.Debug, left.Level);
        Assert.Contains($"/platform.testing.v1.Probe/{method}", left.Message);
    }

    /// <summary>A request body that sends its bytes, then nothing more until the request is cancelled.</summary>
    private sealed class StalledContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await stream.WriteAsync(bytes, cancellationToken);
            await stream.FlushAsync(cancellationToken);
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }

    [Fact]
    public async Task Disposing_a_streaming_call_cancels_it_on_the_server()
    {
        await using var server = await TestServer.StartAsync();
        var call = server.CreateClient().Duplex();
        await call.RequestStream.WriteAsync(new ProbeRequest { Behaviour = "sleep" });
        await Task.Delay(200);
        call.Dispose();
        await server.Recorder.HandlerCancelled.Task.WaitAsync(Wait);
        Assert.Equal(StatusCode.Cancelled, call.GetStatus().StatusCode);
        await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
    }

    [Fact]
    public async Task Status_is_unavailable_until_the_call_ends()
    {
        await using var server = await TestServer.StartAsync();
        using var call = server.CreateClient().UnaryAsync(new ProbeRequest { Behaviour = "gate" });
        await server.Recorder.GateReached.Task.WaitAsync(Wait);
        Assert.Throws<InvalidOperationException>(() => call.GetStatus());
        Assert.Throws<InvalidOperationException>(() => call.GetTrailers());
        server.Recorder.Gate.TrySetResult();
        Assert.Equal("released", (await call).Text);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Shutdown_lets_calls_in_flight_finish_and_refuses_new_ones()
    {
        var server = await TestServer.StartAsync();
        await using var _ = server;
        var client = server.CreateClient();
        var inFlight = client.UnaryAsync(new ProbeRequest { Behaviour = "gate" });
        await server.Recorder.GateReached.Task.WaitAsync(Wait);

        var stopping = server.App.StopAsync();
        await Task.Delay(200);
        var late = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(new ProbeRequest()).ResponseAsync.WaitAsync(Wait));
        Assert.Equal(StatusCode.Unavailable, late.StatusCode);

        server.Recorder.Gate.TrySetResult();
        Assert.Equal("released", (await inFlight.ResponseAsync.WaitAsync(Wait)).Text);
        await stopping.WaitAsync(Wait);
    }

    [Fact]
    public async Task Call_is_retried_when_the_server_could_not_be_reached()
    {
        var port = FreePort();
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}",
            new GrpcChannelOptions { MaxRetryAttempts = 6, InitialRetryBackoff = TimeSpan.FromMilliseconds(150) });
        var client = new Probe.ProbeClient(channel);
        var call = client.UnaryAsync(new ProbeRequest { Text = "eventually" });
        await Task.Delay(100);
        await using var server = await TestServer.StartAsync(port: port);
        Assert.Equal("eventually", (await call.ResponseAsync.WaitAsync(Wait)).Text);
    }

    [Fact]
    public async Task Unavailable_from_a_handler_is_not_retried()
    {
        await using var server = await TestServer.StartAsync();
        var ex = await Assert.ThrowsAsync<RpcException>(() => server.CreateClient().UnaryAsync(new ProbeRequest { Behaviour = "unavailable" }).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Equal(1, server.Recorder.Calls);
    }

    private static int FreePort() => global::Testing.FreePort.Next();
}
