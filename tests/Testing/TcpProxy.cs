using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Testing;

/// <summary>
/// A loopback TCP forwarder a test controls, put between a service and a dependency (e.g. a
/// service and RabbitMQ) to cut the network between them: <see cref="DropAsync"/> resets every
/// open connection and resets each new one at once until <see cref="Restore"/>; the dependency
/// itself keeps running. Forwarding is byte for byte, in both directions.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly ConcurrentDictionary<long, Link> _links = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;
    private long _nextLink;
    private volatile bool _dropped;
    private long _accepted;
    private long _refused;
    private long _cut;

    private TcpProxy(string targetHost, int targetPort)
    {
        TargetHost = targetHost;
        TargetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptLoopAsync();
    }

    public string TargetHost { get; }
    public int TargetPort { get; }

    /// <summary>The loopback port clients connect to instead of the target's.</summary>
    public int Port { get; }

    public bool IsDropped => _dropped;

    /// <summary>Connections forwarded since the start.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Connections reset on arrival because the proxy was dropped.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Open connections reset by <see cref="DropAsync"/>.</summary>
    public long Cut => Interlocked.Read(ref _cut);

    /// <summary>Connections open now.</summary>
    public int OpenConnections => _links.Count;

    /// <summary>Starts forwarding 127.0.0.1:<see cref="Port"/> to <paramref name="targetHost"/>:<paramref name="targetPort"/>.</summary>
    public static TcpProxy Start(string targetHost, int targetPort) => new(targetHost, targetPort);

    /// <summary>Rewrites an amqp:// (or any URI) connection string's port to go through this proxy.</summary>
    public string Rewrite(string uri)
    {
        var builder = new UriBuilder(uri) { Host = "127.0.0.1", Port = Port };
        return builder.Uri.ToString();
    }

    /// <summary>Cuts the network: resets every open connection (RST) and every new one until <see cref="Restore"/>.</summary>
    public async Task DropAsync()
    {
        _dropped = true;
        foreach (var (id, link) in _links)
        {
            if (_links.TryRemove(id, out _))
            {
                Interlocked.Increment(ref _cut);
                await link.ResetAsync();
            }
        }
    }

    /// <summary>Forwards new connections again.</summary>
    public void Restore() => _dropped = false;

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(() => ForwardAsync(client));
        }
    }

    private async Task ForwardAsync(Socket client)
    {
        if (_dropped)
        {
            Interlocked.Increment(ref _refused);
            Reset(client);
            return;
        }

        var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        try
        {
            await upstream.ConnectAsync(TargetHost, TargetPort, _stopping.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            // The target is down: the client sees its connection reset, as it would see a refusal.
            Reset(client);
            upstream.Dispose();
            return;
        }

        var link = new Link(client, upstream);
        var id = Interlocked.Increment(ref _nextLink);
        _links[id] = link;
        Interlocked.Increment(ref _accepted);
        if (_dropped && _links.TryRemove(id, out _))
        {
            // Dropped while connecting.
            await link.ResetAsync();
            return;
        }

        await link.RunAsync(_stopping.Token);
        if (_links.TryRemove(id, out _))
        {
            link.Close();
        }
    }

    private static void Reset(Socket socket)
    {
        try
        {
            // Linger on with a zero timeout: Close sends RST instead of FIN.
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        socket.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        foreach (var (id, link) in _links)
        {
            if (_links.TryRemove(id, out _))
            {
                await link.ResetAsync();
            }
        }

        _stopping.Dispose();
    }

    /// <summary>One forwarded connection: two pumps, client → target and target → client.</summary>
    private sealed class Link(Socket client, Socket upstream)
    {
        private readonly CancellationTokenSource _cancel = new();
        private Task _pumps = Task.CompletedTask;

        public Task RunAsync(CancellationToken stopping)
        {
            var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, _cancel.Token);
            _pumps = Task.WhenAll(PumpAsync(client, upstream, linked.Token), PumpAsync(upstream, client, linked.Token))
                .ContinueWith(_ => linked.Dispose(), TaskScheduler.Default);
            return _pumps;
        }

        private static async Task PumpAsync(Socket from, Socket to, CancellationToken cancellationToken)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                while (true)
                {
                    var read = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                    if (read == 0)
                    {
                        // Half-close: pass the end of stream on.
                        to.Shutdown(SocketShutdown.Send);
                        return;
                    }

                    var sent = 0;
                    while (sent < read)
                    {
                        sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, cancellationToken);
                    }
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                // Either side went away or the link was reset: closing both ends the other pump too.
                from.Dispose();
                to.Dispose();
            }
        }

        public async Task ResetAsync()
        {
            await _cancel.CancelAsync();
            TcpProxy.Reset(client);
            TcpProxy.Reset(upstream);
            try
            {
                await _pumps;
            }
            catch (OperationCanceledException)
            {
            }
        }

        public void Close()
        {
            client.Dispose();
            upstream.Dispose();
            _cancel.Dispose();
        }
    }
}
