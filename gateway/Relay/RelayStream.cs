using System.Buffers;
using Wsis.Gateway.Proxy;

namespace Wsis.Gateway.Relay;

/// <summary>A piece of a stream waiting for flow-control window (DATA) or behind such a piece (a header block).</summary>
internal readonly record struct Pending(byte[] Buffer, int Length, bool IsHeaders, bool EndStream)
{
    public static Pending Copy(in ReadOnlySequence<byte> bytes, bool isHeaders, bool endStream)
    {
        var length = (int)bytes.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, length));
        bytes.CopyTo(buffer);
        return new Pending(buffer, length, isHeaders, endStream);
    }

    public static Pending Copy(ReadOnlySpan<byte> bytes, bool isHeaders, bool endStream)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, bytes.Length));
        bytes.CopyTo(buffer);
        return new Pending(buffer, bytes.Length, isHeaders, endStream);
    }

    public void Return() => ArrayPool<byte>.Shared.Return(Buffer);
}

/// <summary>One call relayed: a client stream paired with a stream on an upstream connection
/// (a destination's, or the slow lane into the gateway's own HTTP/2 server).</summary>
internal sealed class RelayStream(int clientId, Upstream upstream, int upstreamId)
{
    public int ClientId { get; } = clientId;

    public Upstream Upstream { get; } = upstream;

    public int UpstreamId { get; } = upstreamId;

    // Set for a call the relay forwards itself (the fast way); null on the slow lane.
    public RouteState? Route;
    public ClusterState? Cluster;
    public DestinationState? Destination;
    public TimeSpan? ClientTimeout;
    public long DeadlineTimestamp;

    // Client → upstream.
    public long UpstreamSendWindow;
    public int ClientReceiveWindow;
    public int ClientUnacknowledged;
    public Queue<Pending>? ToUpstream;
    public bool ClientEnded;
    public long RequestBodyBytes;

    // Upstream → client.
    public long ClientSendWindow;
    public int UpstreamUnacknowledged;
    public Queue<Pending>? ToClient;
    public bool ResponseStarted;
    public bool UpstreamEnded;
    public bool Answered;

    public bool IsFast => Route is not null;
}
