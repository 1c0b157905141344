using System.Net;
using System.Net.Sockets;
using System.Text;
using Testing;

namespace FaultTolerance.Tests;

/// <summary>The loopback proxy the fault tests cut the network with: forwards, drops (resets), restores.</summary>
public sealed class TcpProxyTests : IAsyncLifetime
{
    private readonly TcpListener _echo = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private Task _serving = Task.CompletedTask;

    public Task InitializeAsync()
    {
        _echo.Start();
        _serving = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _echo.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        try
                        {
                            await client.GetStream().CopyToAsync(client.GetStream(), _stop.Token);
                        }
                        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
                        {
                        }
                    }
                });
            }
        });
        return Task.CompletedTask;
    }

    private int EchoPort => ((IPEndPoint)_echo.LocalEndpoint).Port;

    [Fact]
    public async Task Forwards_bytes_both_ways()
    {
        await using var proxy = TcpProxy.Start("127.0.0.1", EchoPort);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, proxy.Port);
        Assert.Equal("hello through the proxy", await EchoAsync(client, "hello through the proxy"));
        Assert.Equal(1, proxy.Accepted);
    }

    [Fact]
    public async Task Drop_resets_open_connections_and_refuses_new_ones_until_restored()
    {
        await using var proxy = TcpProxy.Start("127.0.0.1", EchoPort);
        using var open = new TcpClient();
        await open.ConnectAsync(IPAddress.Loopback, proxy.Port);
        Assert.Equal("before", await EchoAsync(open, "before"));

        await proxy.DropAsync();
        Assert.True(proxy.IsDropped);
        Assert.Equal(1, proxy.Cut);
        // The open connection is gone: reading ends (reset or end of stream), writing eventually fails.
        await Assert.ThrowsAnyAsync<Exception>(() => EchoAsync(open, "after the drop"));

        using var refused = new TcpClient();
        // The listener accepts, then resets: the reset can reach the client before its connect
        // completes (seen once in CI), or it fails the first exchange.
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await refused.ConnectAsync(IPAddress.Loopback, proxy.Port);
            await EchoAsync(refused, "while dropped");
        });
        Assert.Equal(1, proxy.Refused);

        proxy.Restore();
        using var again = new TcpClient();
        await again.ConnectAsync(IPAddress.Loopback, proxy.Port);
        Assert.Equal("restored", await EchoAsync(again, "restored"));
    }

    [Fact]
    public async Task Rewrite_points_a_connection_string_at_the_proxy()
    {
        await using var proxy = TcpProxy.Start("127.0.0.1", EchoPort);
        Assert.Equal($"amqp://guest:guest@127.0.0.1:{proxy.Port}/vhost", proxy.Rewrite($"amqp://guest:guest@127.0.0.1:{EchoPort}/vhost"));
    }

    /// <summary>Sends <paramref name="text"/> and reads the same number of bytes back; throws when the connection ends first.</summary>
    private static async Task<string> EchoAsync(TcpClient client, string text)
    {
        var stream = client.GetStream();
        var bytes = Encoding.UTF8.GetBytes(text);
        await stream.WriteAsync(bytes);
        var buffer = new byte[bytes.Length];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), timeout.Token);
            if (n == 0)
            {
                throw new IOException("the connection ended");
            }

            read += n;
        }

        return Encoding.UTF8.GetString(buffer);
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        _echo.Stop();
        await _serving;
        _stop.Dispose();
    }
}
