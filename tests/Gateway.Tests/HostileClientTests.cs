using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Gateway.Tests;

public sealed class HostileClientFixture : IAsyncLifetime
{
    public const int ConcurrencyLimit = 100;

    public GrpcTestBackend Backend { get; private set; } = null!;
    public GatewayHost Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Backend = await GrpcTestBackend.StartAsync("b1");
        // Active gRPC health checks every 200 ms and passive checks on, as in production: a probe that
        // made the destination look unhealthy would show.
        Gateway = await GatewayHost.StartAsync(GatewayHost.Settings("RoundRobin", [("b1", Backend.Address)], active: true,
            concurrencyLimit: ConcurrencyLimit));
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Backend.DisposeAsync();
    }
}

/// <summary>
/// The repros of the probe of the old gateway, against the running gateway with a raw HTTP/2 client
/// (Debian's python3-h2, <c>interop/h2_probes.py</c>) from its own loopback address (127.0.0.2):
/// after each, a well-behaved client calling all along (from 127.0.0.1) was served every time, and the
/// destination is still healthy for everyone.
/// </summary>
public sealed class HostileClientTests(HostileClientFixture f, ITestOutputHelper output) : IClassFixture<HostileClientFixture>
{
    [Theory]
    [InlineData("crlf-header")]
    [InlineData("lf-header")]
    [InlineData("nul-header")]
    [InlineData("trailer-pseudo")]
    [InlineData("trailer-uppercase")]
    public async Task A_malformed_header_or_trailer_ends_only_its_own_stream_or_connection_and_never_reaches_the_destination(string probe)
    {
        var seen = await WhileWellBehavedClientCallsAsync(async () =>
        {
            var result = await ProbeAsync(probe);
            // Refused by the gateway's own HTTP/2 server: a stream reset, GOAWAY, or an error status;
            // never an answer from the destination. Malformed trailers come after the request's
            // headers and body: the call may be answered before the gateway's server reads them (seen
            // once in a full run, 8 December), and what matters then is below (never relayed, the
            // destination healthy for everyone).
            var refused = result.TryGetProperty("reset", out var reset) && reset.ValueKind == JsonValueKind.Number
                || result.TryGetProperty("goaway", out var goaway) && goaway.ValueKind == JsonValueKind.Number
                || result.GetProperty("closed").GetBoolean()
                || result.GetProperty("status").ValueKind == JsonValueKind.Number && result.GetProperty("status").GetInt32() >= 400;
            Assert.True(refused || probe.StartsWith("trailer-", StringComparison.Ordinal), result.ToString());
            // Answered, not left hanging: the old relay's slow lane kept such a client waiting 6.6-8 s
            // (the bound is generous for a busy CI machine; an answer comes in milliseconds).
            Assert.True(result.GetProperty("seconds").GetDouble() < 5, result.ToString());
        });

        // A malformed header never reaches the destination. A request whose trailers are malformed
        // may: a streaming proxy forwards the request's headers before its trailers exist (sent in
        // one packet, whether the gateway's server reads the trailers before the request starts is
        // a race), but the trailers themselves are never relayed, so the destination stays healthy
        // for everyone (below).
        Assert.DoesNotContain("bad-header", f.Backend.Probes);
        AssertServedAndHealthy(seen);
    }

    [Fact]
    public async Task Streams_the_server_must_reset_itself_made_you_reset_end_the_connection_and_leave_others_served()
    {
        JsonElement result = default;
        var seen = await WhileWellBehavedClientCallsAsync(async () => result = await ProbeAsync("madeyoureset"));

        output.WriteLine($"madeyoureset: {result}");
        // Kestrel ends such a connection after a bounded number of streams (the old relay took 433,100 in 4.4 s).
        Assert.True(result.GetProperty("goaway").ValueKind == JsonValueKind.Number || result.GetProperty("closed").GetBoolean(), result.ToString());
        Assert.True(result.GetProperty("streams").GetInt32() < 20_000, result.ToString());
        AssertServedAndHealthy(seen);
    }

    [Fact]
    public async Task One_client_holding_60_connections_of_100_open_streams_cannot_take_the_capacity_of_others()
    {
        JsonElement result = default;
        var seen = await WhileWellBehavedClientCallsAsync(async () => result = await ProbeAsync("flood"));

        output.WriteLine($"flood: {result}");
        // Beyond its share the flooding client's calls are answered at once (UNAVAILABLE), not queued.
        Assert.True(result.GetProperty("answered_while_held").GetInt32() >= result.GetProperty("opened").GetInt32() - HostileClientFixture.ConcurrencyLimit - 100,
            result.ToString());
        AssertServedAndHealthy(seen);
    }

    [Fact]
    public async Task A_client_breaking_the_protocol_gets_goaway_and_other_connections_go_on()
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(f.Gateway.GrpcAddress.Host, f.Gateway.GrpcAddress.Port);
        var bytes = new List<byte>("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        bytes.AddRange(Frame(4, 0, 0, [])); // SETTINGS
        bytes.AddRange(Frame(0, 0, 0, [1, 2, 3])); // DATA on stream 0: a connection error
        await socket.SendAsync(bytes.ToArray());

        Assert.Equal(1u, await ReadUntilGoAwayAsync(socket)); // PROTOCOL_ERROR
        using var client = new GrpcTestClient(f.Gateway.GrpcAddress);
        Assert.Equal(0, (await client.UnaryAsync("/test.v1.Echo/Unary", "after")).GrpcStatus);
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

    /// <summary>Runs <paramref name="probe"/> while a well-behaved client calls in a loop; returns the statuses it got.</summary>
    private async Task<List<int?>> WhileWellBehavedClientCallsAsync(Func<Task> probe)
    {
        using var client = new GrpcTestClient(f.Gateway.GrpcAddress);
        using var stop = new CancellationTokenSource();
        var statuses = new List<int?>();
        var calls = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var r = await client.UnaryAsync("/test.v1.Echo/Unary", "well-behaved").WaitAsync(TimeSpan.FromSeconds(10));
                lock (statuses)
                {
                    statuses.Add(r.GrpcStatus);
                }
                await Task.Delay(20);
            }
        });
        int Count()
        {
            lock (statuses)
            {
                return statuses.Count;
            }
        }
        try
        {
            await WaitForAsync(() => Count() >= 3);
            await probe();
            // More calls after the probe: the gateway and the destination are still fine afterwards.
            var after = Count() + 5;
            await WaitForAsync(() => Count() >= after);
        }
        finally
        {
            stop.Cancel();
            await calls;
        }
        return statuses;
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the well-behaved client made no progress in 30 s");
            await Task.Delay(20);
        }
    }

    private void AssertServedAndHealthy(List<int?> statuses)
    {
        output.WriteLine($"well-behaved client: {statuses.Count} calls, {statuses.Count(s => s == 0)} OK");
        Assert.True(statuses.Count >= 8, $"only {statuses.Count} calls");
        Assert.All(statuses, s => Assert.Equal(0, s));
        var proxy = f.Gateway.Services.GetRequiredService<IProxyStateLookup>();
        Assert.True(proxy.TryGetCluster("echo", out var cluster));
        var destination = cluster.DestinationsState.AllDestinations.Single();
        Assert.NotEqual(DestinationHealth.Unhealthy, destination.Health.Passive);
        Assert.NotEqual(DestinationHealth.Unhealthy, destination.Health.Active);
    }

    private async Task<JsonElement> ProbeAsync(string probe)
    {
        const string python = "/usr/bin/python3";
        Assert.True(File.Exists(python), "python3 missing: run scripts/install-test-deps.sh (python3-h2)");
        var script = Path.Combine(AppContext.BaseDirectory, "interop", "h2_probes.py");
        var start = new ProcessStartInfo(python, [script, "127.0.0.1", f.Gateway.GrpcAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), probe, "127.0.0.2"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        Assert.True(process.ExitCode == 0, $"{probe} failed: {await stderr}");
        return JsonDocument.Parse(await stdout).RootElement.Clone();
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
