using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Gateway.Tests;

public sealed class GrpcForwardingFixture : IAsyncLifetime
{
    public GrpcTestBackend Backend { get; private set; } = null!;
    public GatewayHost Gateway { get; private set; } = null!;
    public GrpcTestClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Backend = await GrpcTestBackend.StartAsync("b1");
        Gateway = await GatewayHost.StartAsync(GatewayHost.Settings("RoundRobin", [("b1", Backend.Address)],
            extraRoutePath: "/test.v1.Timed/{**rest}"));
        Client = new GrpcTestClient(Gateway.GrpcAddress);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Gateway.DisposeAsync();
        await Backend.DisposeAsync();
    }
}

/// <summary>Every gRPC call shape through the gateway against one real HTTP/2 backend.</summary>
public sealed class GrpcForwardingTests(GrpcForwardingFixture f) : IClassFixture<GrpcForwardingFixture>
{
    [Fact]
    public async Task Unary_call_returns_the_message_headers_metadata_and_trailers()
    {
        var result = await f.Client.UnaryAsync("/test.v1.Echo/Unary", "hello", h => h.Add("x-meta", "m-1"));

        Assert.Equal(HttpStatusCode.OK, result.HttpStatus);
        Assert.Equal(0, result.GrpcStatus);
        Assert.False(result.TrailersOnly);
        Assert.Equal(["b1:hello"], result.Messages);
        Assert.Equal("b1", result.Headers.GetValues("x-backend").Single());
        Assert.Equal("trailer-value", result.Trailers.GetValues("x-trailer").Single());
        Assert.Equal("m-1", result.Trailers.GetValues("x-meta-echo").Single());
    }

    [Fact]
    public async Task Server_streaming_delivers_every_message_in_order()
    {
        var result = await f.Client.UnaryAsync("/test.v1.Echo/ServerStream", "20");

        Assert.Equal(0, result.GrpcStatus);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"b1:{i}"), result.Messages);
    }

    [Fact]
    public async Task Client_streaming_delivers_every_message_before_the_answer()
    {
        var result = await f.Client.CallAsync("/test.v1.Echo/ClientStream", Enumerable.Range(0, 50).Select(i => $"m{i}"));

        Assert.Equal(0, result.GrpcStatus);
        Assert.Equal(string.Join(",", Enumerable.Range(0, 50).Select(i => $"m{i}")), result.Messages.Single());
    }

    [Fact]
    public async Task Bidirectional_streaming_is_full_duplex_through_the_gateway()
    {
        var content = new DuplexContent();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        // The first message goes before the answer's headers are awaited: the gateway (YARP) passes
        // a response's headers on with its first message or its end, not alone.
        var call = f.Client.SendAsync("/test.v1.Echo/Bidi", content, ct: cts.Token);
        await content.Messages.Writer.WriteAsync("ping0", cts.Token);
        using var response = await call;
        var stream = await response.Content.ReadAsStreamAsync(cts.Token);

        // Each message is answered before the next one is sent: this only completes if the
        // gateway passes messages on in both directions while the call is open. A pause longer than
        // Kestrel's grace period for slow request bodies (5 s) does not end the call.
        for (var i = 0; i < 5; i++)
        {
            if (i > 0)
            {
                await content.Messages.Writer.WriteAsync($"ping{i}", cts.Token);
            }
            var echo = await GrpcWire.ReadMessageAsync(stream, 1 << 20, cts.Token);
            Assert.Equal($"echo:ping{i}", Encoding.UTF8.GetString(echo!));
            if (i == 2)
            {
                await Task.Delay(TimeSpan.FromSeconds(6), cts.Token);
            }
        }
        content.Messages.Writer.Complete();
        Assert.Null(await GrpcWire.ReadMessageAsync(stream, 1 << 20, cts.Token));
        Assert.Equal("0", response.TrailingHeaders.GetValues(GrpcWire.StatusHeader).Single());
    }

    [Fact]
    public async Task Trailers_only_error_passes_through_as_trailers_only()
    {
        var result = await f.Client.UnaryAsync("/test.v1.Echo/TrailersOnly", "x");

        Assert.True(result.TrailersOnly);
        Assert.Equal(5, result.GrpcStatus);
        Assert.Equal("team T-1 not found – introuvable", result.GrpcMessage);
        Assert.Empty(result.Messages);
        Assert.Empty(result.Trailers);
    }

    [Fact]
    public async Task Error_after_a_message_keeps_status_message_and_binary_metadata_in_trailers()
    {
        var result = await f.Client.UnaryAsync("/test.v1.Echo/ErrorAfterMessage", "x");

        Assert.False(result.TrailersOnly);
        Assert.Equal(["partial"], result.Messages);
        Assert.Equal(9, result.GrpcStatus);
        Assert.Equal("deadline 2026-03-31 passed", result.GrpcMessage);
        Assert.Equal(new byte[] { 1, 2, 3, 250 }, Convert.FromBase64String(result.Trailers.GetValues("x-error-detail-bin").Single()));
    }

    [Fact]
    public async Task Grpc_timeout_reaches_the_service_which_enforces_the_deadline()
    {
        var result = await f.Client.UnaryAsync("/test.v1.Echo/Slow", "x", h => h.Add(GrpcWire.TimeoutHeader, "300m"));

        Assert.Equal("300m", f.Backend.LastHeaders[GrpcWire.TimeoutHeader]);
        Assert.Equal(4, result.GrpcStatus);
    }

    [Fact]
    public async Task Client_cancellation_resets_the_call_at_the_service()
    {
        f.Backend.ResetSlowCall();
        using var cts = new CancellationTokenSource();
        var call = f.Client.UnaryAsync("/test.v1.Echo/Slow", "x", ct: cts.Token);
        await f.Backend.SlowCallStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));

        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await f.Backend.SlowCallAborted.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Forwarded_headers_are_added_and_metadata_kept()
    {
        var token = TestTokens.Mint("partner-1", "stakeholder");
        var result = await f.Client.UnaryAsync("/test.v1.Echo/Headers", "", h =>
        {
            h.Add("x-custom", "kept");
            h.Add("authorization", "Bearer " + token);
            h.Add("x-forwarded-for", "203.0.113.7");
        });
        var headers = JsonSerializer.Deserialize<Dictionary<string, string>>(result.Messages.Single())!;

        Assert.Equal("kept", headers["x-custom"]);
        Assert.Equal("Bearer " + token, headers["authorization"]);
        Assert.Equal("trailers", headers["te"]);
        Assert.Equal("application/grpc", headers["content-type"]);
        // What the gateway saw replaces what the client claimed (a client could name any address).
        Assert.Equal("127.0.0.1", headers["x-forwarded-for"]);
        Assert.Equal("http", headers["x-forwarded-proto"]);
        Assert.Equal($"127.0.0.1:{f.Gateway.GrpcAddress.Port}", headers["x-forwarded-host"]);
        Assert.Equal($"127.0.0.1:{f.Backend.Address.Port}", headers["host"]);
    }

    [Fact]
    public async Task Hop_by_hop_headers_from_an_http1_client_are_dropped()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(f.Gateway.WebAddress, "/test.v1.Echo/Headers"))
        {
            Content = new ByteArrayContent([]),
        };
        request.Headers.Add("Keep-Alive", "timeout=5");
        request.Headers.Add("Proxy-Authorization", "Basic secret");
        request.Headers.Add("Upgrade", "websocket");
        request.Headers.Add("x-custom", "kept");
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        var headers = JsonSerializer.Deserialize<Dictionary<string, string>>(Encoding.UTF8.GetString(body.AsSpan(5)))!;

        Assert.Equal("kept", headers["x-custom"]);
        Assert.DoesNotContain("keep-alive", headers.Keys);
        Assert.DoesNotContain("proxy-authorization", headers.Keys);
        Assert.DoesNotContain("upgrade", headers.Keys);
        Assert.DoesNotContain("connection", headers.Keys);
    }

    [Fact]
    public async Task A_path_no_route_matches_is_not_forwarded()
    {
        var before = f.Backend.Calls.Count;
        var result = await f.Client.UnaryAsync("/other.v1.Service/Method", "x");

        Assert.True(result.TrailersOnly);
        Assert.Equal(12, result.GrpcStatus);
        Assert.Equal(before, f.Backend.Calls.Count);
    }
}
