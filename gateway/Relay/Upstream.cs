using System.Buffers;
using System.IO.Pipelines;
using Wsis.Gateway.Proxy;

namespace Wsis.Gateway.Relay;

/// <summary>The relay's HTTP/2 client connection to one destination, or to the gateway's own
/// HTTP/2 server (the slow lane, <see cref="Destination"/> null), owned by one client connection.
/// Its state is guarded by the owning <see cref="RelayConnection"/>'s lock.</summary>
internal sealed class Upstream
{
    public Upstream(DestinationState? destination, ClusterState? cluster)
    {
        Destination = destination;
        Cluster = cluster;
    }

    public DestinationState? Destination { get; }

    public ClusterState? Cluster { get; }

    public bool IsSlowLane => Destination is null;

    /// <summary>Set once connected (the preface and SETTINGS are queued).</summary>
    public FrameOutput? Output;

    public PipeReader? Input;

    /// <summary>Ends the transport (the socket, or the slow lane's pipes).</summary>
    public Action? Close;

    public bool Ready;

    /// <summary>No new streams: GOAWAY received, a failure, or the client connection is ending.</summary>
    public bool Closed;

    public int NextStreamId = 1;

    public readonly Dictionary<int, RelayStream> Streams = [];

    // Peer settings (RFC 9113 defaults until its SETTINGS arrive).
    public long SendWindow = 65_535;
    public int InitialSendWindow = 65_535;
    public int MaxFrameSize = 16_384;
    public int MaxConcurrentStreams = 100;

    // What the upstream may send us on the connection, and what we consumed but did not credit yet.
    public int ReceiveWindow;
    public int Unacknowledged;

    /// <summary>Response header blocks are forwarded as they are: the relay announces a header
    /// table of size 0, so an upstream's blocks never refer to earlier ones. Decoding still checks them.</summary>
    public readonly HpackDecoder Decoder = new(maxTableSize: 0, maxHeaderListSize: 1024 * 1024);

    /// <summary>Request header blocks to a destination are encoded with a dynamic table, which the
    /// destination's decoder mirrors: every block encoded with it is written at once, in order.</summary>
    public readonly HpackTableEncoder Encoder = new();

    public readonly ArrayBufferWriter<byte> HeaderBlock = new(256);
    public int HeaderBlockStream;
    public byte HeaderBlockFlags;

    /// <summary>When the last connection attempt failed: the next is not made before a pause.</summary>
    public long FailedAt;

    public bool CanOpenStream => Ready && !Closed && Streams.Count < MaxConcurrentStreams && NextStreamId < int.MaxValue - 2;
}
