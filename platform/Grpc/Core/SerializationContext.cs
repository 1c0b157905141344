using System.Buffers;

namespace Grpc.Core;

/// <summary>Where a serializer writes one message: either a whole array, or a buffer writer then <see cref="Complete()"/>.</summary>
public abstract class SerializationContext
{
    /// <summary>Completes with the whole payload at once.</summary>
    public virtual void Complete(byte[] payload) => throw new NotImplementedException();

    /// <summary>A writer for the payload; call <see cref="Complete()"/> once written.</summary>
    public virtual IBufferWriter<byte> GetBufferWriter() => throw new NotImplementedException();

    /// <summary>Announces the payload length before writing (lets the transport size the frame).</summary>
    public virtual void SetPayloadLength(int payloadLength) => throw new NotImplementedException();

    /// <summary>Completes a payload written through <see cref="GetBufferWriter"/>.</summary>
    public virtual void Complete() => throw new NotImplementedException();
}

/// <summary>Where a deserializer reads one message's payload from.</summary>
public abstract class DeserializationContext
{
    public abstract int PayloadLength { get; }

    /// <summary>The payload copied into a new array.</summary>
    public virtual byte[] PayloadAsNewBuffer() => throw new NotImplementedException();

    /// <summary>The payload without copying; valid only during the deserializer call.</summary>
    public virtual ReadOnlySequence<byte> PayloadAsReadOnlySequence() => throw new NotImplementedException();
}
