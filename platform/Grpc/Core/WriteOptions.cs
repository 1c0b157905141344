namespace Grpc.Core;

[Flags]
public enum WriteFlags
{
    /// <summary>The write may be buffered (not flushed at once).</summary>
    BufferHint = 0x1,
    /// <summary>Do not compress this message even when the call compresses.</summary>
    NoCompress = 0x2,
}

/// <summary>Options for one message write.</summary>
public class WriteOptions
{
    public static readonly WriteOptions Default = new();

    public WriteOptions(WriteFlags flags = default) => Flags = flags;

    public WriteFlags Flags { get; }
}
