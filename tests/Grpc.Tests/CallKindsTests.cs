using Google.Protobuf;
using Grpc.Core;
using Platform.Testing.V1;

namespace Grpc.Tests;

/// <summary>The four method kinds over real Kestrel HTTP/2 with the project's own channel.</summary>
public class CallKindsTests
{
    [Fact]
    public async Task Unary_call_returns_the_reply()
    {
        await using var server = await TestServer.StartAsync();
        var client = server.CreateClient();
        var reply = await client.UnaryAsync(new ProbeRequest { Text = "hello", Blob = ByteString.CopyFromUtf8("bytes") });
        Assert.Equal("hello", reply.Text);
        Assert.Equal("bytes", reply.Blob.ToStringUtf8());
    }

    [Fact]
    public async Task Blocking_unary_call_returns_the_reply()
    {
        await using var server = await TestServer.StartAsync();
        var client = server.CreateClient();
        // The generated synchronous method, run off the test's thread.
        var reply = await Task.Run(() => client.Unary(new ProbeRequest { Text = "sync" }));
        Assert.Equal("sync", reply.Text);
    }

    [Fact]
    public async Task Empty_messages_travel_both_ways()
    {
        await using var server = await TestServer.StartAsync();
        var reply = await server.CreateClient().UnaryAsync(new ProbeRequest());
        Assert.Equal(new ProbeReply(), reply);
    }

    [Fact]
    public async Task Large_messages_travel_over_many_data_frames()
    {
        await using var server = await TestServer.StartAsync();
        var blob = ByteString.CopyFrom(Enumerable.Range(0, 3_000_000).Select(i => (byte)i).ToArray());
        var reply = await server.CreateClient().UnaryAsync(new ProbeRequest { Blob = blob });
        Assert.Equal(blob, reply.Blob);
    }

    [Fact]
    public async Task Server_streaming_delivers_every_message_in_order()
    {
        await using var server = await TestServer.StartAsync();
        using var call = server.CreateClient().ServerStream(new ProbeRequest { Text = "s", Count = 50 });
        var indexes = new List<int>();
        await foreach (var reply in call.ResponseStream.ReadAllAsync()) indexes.Add(reply.Index);
        Assert.Equal(Enumerable.Range(0, 50), indexes);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Server_streaming_flushes_each_message_as_it_is_written()
    {
        await using var server = await TestServer.StartAsync();
        using var call = server.CreateClient().ServerStream(new ProbeRequest { Count = 2, Behaviour = "gate" });
        // The handler waits after its first write until the client has read it: without a flush
        // per message the client would never see it and this would time out.
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, call.ResponseStream.Current.Index);
        server.Recorder.Gate.TrySetResult();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
    }

    [Fact]
    public async Task Server_streaming_error_after_messages_keeps_the_messages_and_the_status()
    {
        await using var server = await TestServer.StartAsync();
        using var call = server.CreateClient().ServerStream(new ProbeRequest { Count = 3, Behaviour = "rpc-error" });
        var received = 0;
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in call.ResponseStream.ReadAllAsync()) received++;
        });
        Assert.Equal(3, received);
        Assert.Equal(StatusCode.Aborted, ex.StatusCode);
        Assert.Equal("stopped after the messages", ex.Status.Detail);
        Assert.Equal("yes", ex.Trailers.GetValue("x-after"));
    }

    [Fact]
    public async Task Client_streaming_aggregates_every_request()
    {
        await using var server = await TestServer.StartAsync();
        using var call = server.CreateClient().ClientStream();
        for (var i = 1; i <= 10; i++)
        {
            await call.RequestStream.WriteAsync(new ProbeRequest { Count = i, Text = i.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }
        await call.RequestStream.CompleteAsync();
        var reply = await call;
        Assert.Equal(55, reply.Index);
        Assert.Equal("1,2,3,4,5,6,7,8,9,10", reply.Text);
    }

    [Fact]
    public async Task Client_streaming_with_no_messages_completes()
    {
        await using var server = await TestServer.StartAsync();
        using var call = server.CreateClient().ClientStream();
        await call.RequestStream.CompleteAsync();
        var reply = await call.ResponseAsync;
        Assert.Equal(0, reply.Index);
    }

    [Fact]
    public async Task Duplex_streaming_answers_each_message_before_the_next_is_sent()
    {
        await using var server = await TestServer.StartAsync();
        using var call = server.CreateClient().Duplex();
        for (var i = 0; i < 5; i++)
        {
            await call.RequestStream.WriteAsync(new ProbeRequest { Text = $"ping {i}" });
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal($"ping {i}", call.ResponseStream.Current.Text);
            Assert.Equal(i, call.ResponseStream.Current.Index);
        }
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Duplex_error_mid_stream_reaches_the_client()
    {
        await using var server = await TestServer.StartAsync();
        using var call = server.CreateClient().Duplex();
        await call.RequestStream.WriteAsync(new ProbeRequest { Text = "fine" });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        await call.RequestStream.WriteAsync(new ProbeRequest { Behaviour = "rpc-error" });
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal("message 1 asked for an error", ex.Status.Detail);
    }

    [Fact]
    public async Task Metadata_travels_both_ways_with_binary_values()
    {
        await using var server = await TestServer.StartAsync();
        var headers = new Metadata { { "x-plain", "value 1" }, { "x-blob-bin", new byte[] { 0, 1, 254, 255 } } };
        using var call = server.CreateClient().UnaryAsync(new ProbeRequest { Behaviour = "echo-headers" }, headers);
        var reply = await call;
        Assert.Contains("x-plain=value 1", reply.Text);
        Assert.Contains("x-blob-bin=0001FEFF", reply.Text);
        var responseHeaders = await call.ResponseHeadersAsync;
        Assert.Equal("hello", responseHeaders.GetValue("x-initial"));
        Assert.Equal(new byte[] { 0xab, 0xcd }, responseHeaders.GetValueBytes("x-initial-bin"));
        var trailers = call.GetTrailers();
        Assert.Equal("bye", trailers.GetValue("x-trailer"));
        Assert.Equal(new byte[] { 0xff, 0x00, 0x7f }, trailers.GetValueBytes("x-trailer-bin"));
    }

    [Fact]
    public async Task Handler_sees_its_http_context_method_and_peer()
    {
        await using var server = await TestServer.StartAsync();
        var reply = await server.CreateClient().UnaryAsync(new ProbeRequest { Behaviour = "peer" });
        var parts = reply.Text.Split('|');
        Assert.StartsWith("ipv4:127.0.0.1:", parts[0]);
        Assert.Equal("/platform.testing.v1.Probe/Unary", parts[1]);
        Assert.Equal("/platform.testing.v1.Probe/Unary", parts[2]);
    }

    [Fact]
    public async Task Concurrent_calls_share_one_http2_connection()
    {
        await using var server = await TestServer.StartAsync();
        var client = server.CreateClient();
        await client.UnaryAsync(new ProbeRequest());
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => client.UnaryAsync(new ProbeRequest { Text = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }).ResponseAsync));
        Assert.Single(server.Recorder.ConnectionIds);
        Assert.Equal(41, server.Recorder.Calls);
    }

    [Fact]
    public async Task Gzip_compression_works_both_ways()
    {
        await using var server = await TestServer.StartAsync(o => o.ResponseCompressionAlgorithm = "gzip");
        var headers = new Metadata { { "grpc-internal-encoding-request", "gzip" } };
        var blob = ByteString.CopyFrom(new byte[200_000]);
        using var call = server.CreateClient().UnaryAsync(new ProbeRequest { Blob = blob }, headers);
        var reply = await call;
        Assert.Equal(blob, reply.Blob);
    }
}
