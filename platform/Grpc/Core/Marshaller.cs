using System.Buffers;

namespace Grpc.Core;

/// <summary>Turns messages into bytes and back, in either the simple (byte[]) or the contextual form.</summary>
public class Marshaller<T>
{
    private readonly Func<T, byte[]>? _serializer;
    private readonly Func<byte[], T>? _deserializer;

    public Marshaller(Func<T, byte[]> serializer, Func<byte[], T> deserializer)
    {
        _serializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
        _deserializer = deserializer ?? throw new ArgumentNullException(nameof(deserializer));
        ContextualSerializer = (value, context) => context.Complete(_serializer(value));
        ContextualDeserializer = context => _deserializer(context.PayloadAsNewBuffer());
    }

    public Marshaller(Action<T, SerializationContext> serializer, Func<DeserializationContext, T> deserializer)
    {
        ContextualSerializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
        ContextualDeserializer = deserializer ?? throw new ArgumentNullException(nameof(deserializer));
    }

    /// <summary>The simple serializer; for a contextual marshaller it runs the contextual one into a new array.</summary>
    public Func<T, byte[]> Serializer => _serializer ?? SerializeToArray;

    public Func<byte[], T> Deserializer => _deserializer ?? DeserializeFromArray;

    public Action<T, SerializationContext> ContextualSerializer { get; }

    public Func<DeserializationContext, T> ContextualDeserializer { get; }

    private byte[] SerializeToArray(T value)
    {
        var context = new ArraySerializationContext();
        ContextualSerializer(value, context);
        return context.Result ?? throw new InvalidOperationException("The serializer did not complete.");
    }

    private T DeserializeFromArray(byte[] payload) => ContextualDeserializer(new ArrayDeserializationContext(payload));

    private sealed class ArraySerializationContext : SerializationContext
    {
        private ArrayBufferWriter<byte>? _writer;
        public byte[]? Result { get; private set; }

        public override void Complete(byte[] payload) => Result = payload;
        public override IBufferWriter<byte> GetBufferWriter() => _writer ??= new ArrayBufferWriter<byte>();
        public override void SetPayloadLength(int payloadLength) { }
        public override void Complete() => Result = _writer is null ? [] : _writer.WrittenSpan.ToArray();
    }

    private sealed class ArrayDeserializationContext(byte[] payload) : DeserializationContext
    {
        public override int PayloadLength => payload.Length;
        public override byte[] PayloadAsNewBuffer() => (byte[])payload.Clone();
        public override ReadOnlySequence<byte> PayloadAsReadOnlySequence() => new(payload);
    }
}

/// <summary>Factory methods for marshallers.</summary>
public static class Marshallers
{
    public static Marshaller<T> Create<T>(Func<T, byte[]> serializer, Func<byte[], T> deserializer) => new(serializer, deserializer);

    public static Marshaller<T> Create<T>(Action<T, SerializationContext> serializer, Func<DeserializationContext, T> deserializer) => new(serializer, deserializer);

    /// <summary>Passes byte arrays through unchanged.</summary>
    public static Marshaller<byte[]> ByteArrayMarshaller { get; } = new(static b => b, static b => b);

    public static Marshaller<string> StringMarshaller { get; } = new(
        static s => System.Text.Encoding.UTF8.GetBytes(s),
        static b => System.Text.Encoding.UTF8.GetString(b));
}
