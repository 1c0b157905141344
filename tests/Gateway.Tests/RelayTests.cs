using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Wsis.Gateway.Relay;
using Xunit;

namespace Gateway.Tests;

/// <summary>The gRPC port's frame-level relay: which calls go straight to a destination, that they
/// arrive as the forwarder would send them, flow control across both windows, and the relay's
/// answers to a client that breaks the protocol.</summary>
public sealed class RelayTests(GrpcForwardingFixture f) : IClassFixture<GrpcForwardingFixture>
{
    private GrpcRelay Relay => f.Gateway.Services.GetRequiredService<GrpcRelay>();

    /// <summary>A new client connection whose calls are relayed: the relay connects to the
    /// destination on the first call (which takes the slow lane meanwhile).</summary>
    private async Task<GrpcTestClient> RelayedClientAsync()
    {
        var client = new GrpcTestClient(f.Gateway.GrpcAddress);
        for (var i = 0; i < 100; i++)
        {
            var before = Relay.RelayedCalls;
            var result = await client.UnaryAsync("/test.v1.Echo/Unary", "warm");
            Assert.Equal(0, result.GrpcStatus);
            if (Relay.RelayedCalls > before)
            {
                return client;
            }
            await Task.Delay(20);
        }
        throw new InvalidOperationException("no call was relayed");
    }

    [Fact]
    public async Task Calls_go_straight_to_the_destination_with_the_forwarders_headers()
    {
        using var client = await RelayedClientAsync();
        var relayed = Relay.RelayedCalls;

        for (var i = 0; i < 20; i++)
        {
            var result = await client.UnaryAsync("/test.v1.Echo/Unary", $"m{i}", h =>
            {
                h.Add("x-meta", "v");
                h.Add("X-Forwarded-For", "203.0.113.9");
                h.Add("x-gateway-hops", "1");
            });
            Assert.Equal(0, result.GrpcStatus);
            Assert.Equal([$"b1:m{i}"], result.Messages);
            Assert.Equal("trailer-value", result.Trailers.GetValues("x-trailer").Single());
        }

        Assert.True(Relay.RelayedCalls >= relayed + 20, $"{Relay.RelayedCalls - relayed} of 20 calls relayed");
        Assert.Equal("203.0.113.9, 127.0.0.1", f.Backend.LastHeaders["X-Forwarded-For"]);
        Assert.Equal("http", f.Backend.LastHeaders["X-Forwarded-Proto"]);
        Assert.Equal(f.Gateway.GrpcAddress.Authority, f.Backend.LastHeaders["X-Forwarded-Host"]);
        Assert.Equal("2", f.Backend.LastHeaders["x-gateway-hops"]);
        Assert.Equal("v", f.Backend.LastHeaders["x-meta"]);
    }

    [Fact]
    public async Task Messages_larger_than_every_window_cross_in_both_directions()
    {
        using var client = await RelayedClientAsync();
        var relayed = Relay.RelayedCalls;
        // 15 × 60 kB: more than the relay's stream window (768 kB) toward the destination, and an
        // answer of 900 kB, more than the client's first window.
        var parts = Enumerable.Range(0, 15).Select(i => new string((char)('a' + i), 60_000)).ToArray();

        var result = await client.CallAsync("/test.v1.Echo/ClientStream", parts);

        Assert.Equal(0, result.GrpcStatus);
        Assert.Equal(string.Join(",", parts), result.Messages.Single());
        Assert.Equal(relayed + 1, Relay.RelayedCalls);
    }

    [Fact]
    public async Task Header_values_arrive_intact_while_the_destinations_table_turns_over()
    {
        // The relay's requests to a destination are encoded with a dynamic table (4 KB, the
        // destination's decoder mirrors it): values repeated and new, short and long, many at once,
        // so that entries are evicted and referred to while calls interleave.
        using var client = await RelayedClientAsync();
        var relayed = Relay.RelayedCalls;
        var random = new Random(42);
        var values = Enumerable.Range(0, 60).Select(i => $"v{i}-" + new string((char)('a' + i % 26), random.Next(0, 900))).ToArray();
        for (var batch = 0; batch < 8; batch++)
        {
            var sent = Enumerable.Range(0, 50).Select(_ => values[random.Next(values.Length)]).ToArray();
            var results = await Task.WhenAll(sent.Select((value, i) =>
                client.UnaryAsync("/test.v1.Echo/Unary", $"h{i}", h => h.Add("x-meta", value))));
            for (var i = 0; i < sent.Length; i++)
            {
                Assert.Equal(0, results[i].GrpcStatus);
                Assert.Equal([$"b1:h{i}"], results[i].Messages);
                Assert.Equal(sent[i], results[i].Trailers.GetValues("x-meta-echo").Single());
            }
        }
        Assert.True(Relay.RelayedCalls >= relayed + 400 * 9 / 10, $"{Relay.RelayedCalls - relayed} of 400 calls relayed");
    }

    [Fact]
    public async Task Concurrent_calls_on_one_connection_all_complete()
    {
        using var client = await RelayedClientAsync();
        var calls = Enumerable.Range(0, 300).Select(i => client.UnaryAsync("/test.v1.Echo/Unary", $"c{i}")).ToArray();
        var results = await Task.WhenAll(calls);
        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(0, results[i].GrpcStatus);
            Assert.Equal([$"b1:c{i}"], results[i].Messages);
        }
    }

    [Fact]
    public async Task A_call_with_a_token_is_checked_by_the_gateway_on_the_slow_lane()
    {
        using var client = await RelayedClientAsync();
        var slow = Relay.SlowLaneCalls;

        var forged = await client.UnaryAsync("/test.v1.Echo/Unary", "x", h => h.Authorization = new AuthenticationHeaderValue("Bearer", "not.a.token"));

        Assert.Equal(16, forged.GrpcStatus);
        Assert.Equal(slow + 1, Relay.SlowLaneCalls);
    }

    [Fact]
    public async Task A_path_no_route_matches_gets_unimplemented_from_the_slow_lane()
    {
        using var client = await RelayedClientAsync();
        var result = await client.UnaryAsync("/nobody.v1.Nothing/Call", "x");
        Assert.Equal(12, result.GrpcStatus);
    }

    [Fact]
    public async Task A_client_breaking_the_protocol_gets_GOAWAY_and_other_connections_go_on()
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(f.Gateway.GrpcAddress.Host, f.Gateway.GrpcAddress.Port);
        var bytes = new List<byte>("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        bytes.AddRange(Frame(4, 0, 0, [])); // SETTINGS
        bytes.AddRange(Frame(0, 0, 0, [1, 2, 3])); // DATA on stream 0: a connection error
        await socket.SendAsync(bytes.ToArray());

        var goAway = await ReadUntilGoAwayAsync(socket);

        Assert.Equal(1u, goAway); // PROTOCOL_ERROR
        var result = await f.Client.UnaryAsync("/test.v1.Echo/Unary", "after");
        Assert.Equal(0, result.GrpcStatus);
    }

    [Fact]
    public async Task A_header_block_interrupted_by_another_frame_is_a_protocol_error()
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(f.Gateway.GrpcAddress.Host, f.Gateway.GrpcAddress.Port);
        var bytes = new List<byte>("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        bytes.AddRange(Frame(4, 0, 0, []));
        bytes.AddRange(Frame(1, 0, 1, [0x83])); // HEADERS without END_HEADERS (:method POST)
        bytes.AddRange(Frame(6, 0, 0, new byte[8])); // PING where CONTINUATION must come
        await socket.SendAsync(bytes.ToArray());

        Assert.Equal(1u, await ReadUntilGoAwayAsync(socket));
    }

    [Fact]
    public async Task Http1_on_the_grpc_port_is_left_to_kestrel()
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(f.Gateway.GrpcAddress.Host, f.Gateway.GrpcAddress.Port);
        await socket.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
        var buffer = new byte[1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        // Kestrel's own answer on an HTTP/2-only endpoint.
        var answer = System.Text.Encoding.ASCII.GetString(buffer, 0, read);
        Assert.StartsWith("HTTP/1.1 400 Bad Request", answer);
        Assert.Contains("An HTTP/1.x request was sent to an HTTP/2 only endpoint", answer);
    }

    private static byte[] Frame(byte type, byte flags, int stream, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), stream);
        payload.CopyTo(frame, 9);
        return frame;
    }

    /// <summary>Reads frames until GOAWAY; returns its error code.</summary>
    private static async Task<uint> ReadUntilGoAwayAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var received = new List<byte>();
        var buffer = new byte[4096];
        while (true)
        {
            var offset = 0;
            while (received.Count - offset >= 9)
            {
                var length = received[offset] << 16 | received[offset + 1] << 8 | received[offset + 2];
                if (received.Count - offset < 9 + length)
                {
                    break;
                }
                if (received[offset + 3] == 7)
                {
                    var payload = received.Skip(offset + 9).Take(length).ToArray();
                    return BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(4));
                }
                offset += 9 + length;
            }
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            if (read == 0)
            {
                throw new InvalidOperationException("closed without GOAWAY");
            }
            received.AddRange(buffer.AsSpan(0, read).ToArray());
        }
    }
}
