using System.Buffers;
using System.IO.Compression;
using System.IO.Pipelines;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Compression;
using Grpc.Shared;
using Platform.Testing.V1;

namespace Grpc.Tests;

public class FramingTests
{
    private static readonly Func<DeserializationContext, ProbeRequest> Deserialize =
        c => ProbeRequest.Parser.ParseFrom(c.PayloadAsReadOnlySequence());

    private static byte[] Frame(IMessage message, bool compress = false)
    {
        var payload = message.ToByteArray();
        if (compress) payload = GrpcProtocol.Compress(new GzipCompressionProvider(CompressionLevel.Fastest), payload, null);
        var frame = new byte[5 + payload.Length];
        GrpcProtocol.WriteHeader(frame, compress, payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    /// <summary>A sequence of one-byte segments: every boundary a DATA frame could have.</summary>
    private static ReadOnlySequence<byte> OneBytePerSegment(byte[] bytes)
    {
        var first = new Segment(bytes.AsMemory(0, 1), 0);
        var last = first;
        for (var i = 1; i < bytes.Length; i++) last = last.Append(bytes.AsMemory(i, 1));
        return new ReadOnlySequence<byte>(first, 0, last, 1);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long index)
        {
            Memory = memory;
            RunningIndex = index;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    [Fact]
    public void A_message_split_at_every_byte_is_found_whole()
    {
        var request = new ProbeRequest { Text = "split everywhere", Count = 7 };
        var sequence = OneBytePerSegment(Frame(request));
        Assert.True(GrpcProtocol.TryReadMessage(sequence, 1024, out var compressed, out var payload));
        Assert.False(compressed);
        Assert.Equal(request, ProbeRequest.Parser.ParseFrom(payload));
    }

    [Fact]
    public void An_incomplete_message_asks_for_more()
    {
        var frame = Frame(new ProbeRequest { Text = "abc" });
        Assert.False(GrpcProtocol.TryReadMessage(new ReadOnlySequence<byte>(frame, 0, 3), 1024, out _, out _));
        Assert.False(GrpcProtocol.TryReadMessage(new ReadOnlySequence<byte>(frame, 0, frame.Length - 1), 1024, out _, out _));
    }

    [Fact]
    public void A_message_over_the_limit_is_refused_from_its_prefix()
    {
        var prefix = new byte[5];
        GrpcProtocol.WriteHeader(prefix, false, 5000);
        var ex = Assert.Throws<RpcException>(() => GrpcProtocol.TryReadMessage(new ReadOnlySequence<byte>(prefix), 4096, out _, out _));
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public void An_invalid_compressed_flag_is_an_internal_error()
    {
        var frame = new byte[] { 2, 0, 0, 0, 0 };
        var ex = Assert.Throws<RpcException>(() => GrpcProtocol.TryReadMessage(new ReadOnlySequence<byte>(frame), 4096, out _, out _));
        Assert.Equal(StatusCode.Internal, ex.StatusCode);
    }

    [Fact]
    public async Task Reader_reassembles_messages_fed_in_odd_sized_chunks()
    {
        var messages = Enumerable.Range(0, 5).Select(i => new ProbeRequest { Text = new string('x', i * 300), Count = i }).ToList();
        var bytes = messages.SelectMany(m => Frame(m, compress: m.Count == 3)).ToArray();
        var pipe = new Pipe();
        var reader = new MessageReader(pipe.Reader, 1 << 20, new GzipCompressionProvider(CompressionLevel.Fastest), null, isServer: true);
        var feeding = Task.Run(async () =>
        {
            for (var offset = 0; offset < bytes.Length;)
            {
                var n = Math.Min(bytes.Length - offset, 1 + offset % 7);
                await pipe.Writer.WriteAsync(bytes.AsMemory(offset, n));
                offset += n;
            }
            await pipe.Writer.CompleteAsync();
        });
        var received = new List<ProbeRequest>();
        while (await reader.ReadAsync(Deserialize, CancellationToken.None) is { } message)
        {
            received.Add(message);
        }
        await feeding;
        Assert.Equal(messages, received);
    }

    [Fact]
    public async Task Stream_ending_inside_a_message_is_an_internal_error()
    {
        var frame = Frame(new ProbeRequest { Text = "cut short" });
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(frame.AsMemory(0, frame.Length - 2));
        await pipe.Writer.CompleteAsync();
        var reader = new MessageReader(pipe.Reader, 1024, null, null, isServer: true);
        var ex = await Assert.ThrowsAsync<RpcException>(() => reader.ReadAsync(Deserialize, CancellationToken.None).AsTask());
        Assert.Equal(StatusCode.Internal, ex.StatusCode);
    }

    [Fact]
    public async Task Compressed_message_without_an_encoding_is_refused()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Frame(new ProbeRequest { Text = "z" }, compress: true));
        await pipe.Writer.CompleteAsync();
        var reader = new MessageReader(pipe.Reader, 1024, null, null, isServer: true);
        var ex = await Assert.ThrowsAsync<RpcException>(() => reader.ReadAsync(Deserialize, CancellationToken.None).AsTask());
        Assert.Equal(StatusCode.Internal, ex.StatusCode);
    }

    [Fact]
    public async Task Decompressed_size_is_limited_too()
    {
        // 100 KB of zeros compresses to a few hundred bytes: the limit must apply after inflation.
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Frame(new ProbeRequest { Blob = ByteString.CopyFrom(new byte[100_000]) }, compress: true));
        await pipe.Writer.CompleteAsync();
        var reader = new MessageReader(pipe.Reader, 10_000, new GzipCompressionProvider(CompressionLevel.Fastest), null, isServer: true);
        var ex = await Assert.ThrowsAsync<RpcException>(() => reader.ReadAsync(Deserialize, CancellationToken.None).AsTask());
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public void Serializer_writes_the_same_frame_directly_or_buffered()
    {
        var message = new ProbeReply { Text = "same bytes", Index = 3 };
        Action<ProbeReply, SerializationContext> direct = (m, c) =>
        {
            c.SetPayloadLength(m.CalculateSize());
            m.WriteTo(c.GetBufferWriter());
            c.Complete();
        };
        Action<ProbeReply, SerializationContext> buffered = (m, c) => c.Complete(m.ToByteArray());
        using var context = new MessageSerializationContext();
        var a = new ArrayBufferWriter<byte>();
        var b = new ArrayBufferWriter<byte>();
        context.WriteMessage(a, message, direct, null, null, 1024);
        context.WriteMessage(b, message, buffered, null, null, 1024);
        Assert.Equal(Frame(message), a.WrittenSpan.ToArray());
        Assert.Equal(a.WrittenSpan.ToArray(), b.WrittenSpan.ToArray());
    }

    [Fact]
    public void Serializer_sets_the_compressed_flag_and_refuses_oversized_messages()
    {
        var message = new ProbeReply { Blob = ByteString.CopyFrom(new byte[2000]) };
        Action<ProbeReply, SerializationContext> serializer = (m, c) => c.Complete(m.ToByteArray());
        using var context = new MessageSerializationContext();
        var output = new ArrayBufferWriter<byte>();
        context.WriteMessage(output, message, serializer, new GzipCompressionProvider(CompressionLevel.Fastest), null, 4096);
        Assert.Equal(1, output.WrittenSpan[0]);
        Assert.True(output.WrittenCount < 2000);
        var ex = Assert.Throws<RpcException>(() => context.WriteMessage(new ArrayBufferWriter<byte>(), message, serializer, null, null, 1000));
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }
}
