using System.Buffers;
using System.Text.Unicode;
using Google.Protobuf.Reflection;

namespace Grpc.Shared;

/// <summary>
/// proto3 <c>string</c> fields must hold valid UTF-8, and other implementations refuse a message
/// whose strings do not. Google.Protobuf's C# parser instead turns invalid bytes into U+FFFD, so a
/// service would store and answer with text the caller never sent. This walks the wire bytes the
/// parser has already accepted, checking only string fields (and the messages holding them).
/// </summary>
internal static class Utf8StringFields
{
    /// <summary>The name of the first string field whose bytes are not UTF-8, or null when all are.</summary>
    public static string? FirstInvalid(ReadOnlySequence<byte> payload, MessageDescriptor descriptor)
    {
        var bytes = payload.IsSingleSegment ? payload.First : payload.ToArray();
        return FirstInvalid(bytes.Span, descriptor, 0);
    }

    private static string? FirstInvalid(ReadOnlySpan<byte> data, MessageDescriptor descriptor, int depth)
    {
        // The parser's own recursion limit has already refused anything deeper.
        if (depth > 100)
        {
            return null;
        }

        var offset = 0;
        while (offset < data.Length)
        {
            if (!TryReadVarint(data, ref offset, out var tag))
            {
                return null;
            }

            switch ((int)(tag & 7))
            {
                case 0:
                    if (!TryReadVarint(data, ref offset, out _))
                    {
                        return null;
                    }
                    break;
                case 1:
                    offset += 8;
                    break;
                case 5:
                    offset += 4;
                    break;
                case 2:
                    if (!TryReadVarint(data, ref offset, out var length) || length > (ulong)(data.Length - offset))
                    {
                        return null;
                    }
                    var value = data.Slice(offset, (int)length);
                    offset += (int)length;
                    var field = descriptor.FindFieldByNumber((int)(tag >> 3));
                    if (field?.FieldType == FieldType.String && !Utf8.IsValid(value))
                    {
                        return field.Name;
                    }
                    if (field?.FieldType == FieldType.Message && FirstInvalid(value, field.MessageType, depth + 1) is { } inner)
                    {
                        return field.Name + "." + inner;
                    }
                    break;
                default:
                    // Groups (proto2 only): nothing of ours to check.
                    return null;
            }
        }
        return null;
    }

    private static bool TryReadVarint(ReadOnlySpan<byte> data, ref int offset, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64 && offset < data.Length; shift += 7)
        {
            var b = data[offset++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }
        return false;
    }
}
