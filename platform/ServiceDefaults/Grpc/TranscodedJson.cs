using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Platform.ServiceDefaults;

/// <summary>
/// The door of a JSON call to a method served by the official JSON transcoding:
/// <list type="bullet">
/// <item>The body must be the request message in proto3 JSON. It is checked with Google.Protobuf's
/// own JSON parser before the transcoder reads it, because the transcoder ignores fields it does not
/// know (a misspelled <c>contact_emial</c> would be dropped without a word) and says only "Request
/// JSON payload is not correctly formatted"; here the caller reads what is wrong
/// ("Unknown field: contact_emial").</item>
/// <item>An error is an RFC 7807 problem (<see cref="GrpcStatusProblem"/>: title = the gRPC status
/// name, detail = its message, <c>grpcStatus</c> = its number) with the HTTP status the transcoder
/// chose (google.rpc's mapping), instead of the transcoder's <c>google.rpc.Status</c> body.</item>
/// </list>
/// </summary>
internal static class TranscodedJson
{
    public static async Task HandleAsync(HttpContext context, RequestDelegate next)
    {
        var transcoding = context.GetEndpoint()?.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>();
        if (transcoding is null)
        {
            await next(context);
            return;
        }

        if (BodyMessage(transcoding) is { } body && IsJson(context.Request))
        {
            var refusal = await CheckBodyAsync(context.Request, body, context.RequestAborted);
            if (refusal is not null)
            {
                await refusal.ExecuteAsync(context);
                return;
            }
        }

        var server = context.Features.Get<IHttpResponseBodyFeature>()!;
        var capture = new ErrorCapture(context.Response, server.Stream);
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(capture, server));
        try
        {
            await next(context);
        }
        finally
        {
            context.Features.Set(server);
        }

        if (capture.Error is { } error)
        {
            await RewriteAsync(context, error.ToArray());
        }
    }

    /// <summary>The message the HTTP body carries (<c>body: "*"</c> or a message field), or null when the rule takes no body.</summary>
    private static MessageDescriptor? BodyMessage(GrpcJsonTranscodingMetadata transcoding)
    {
        var input = transcoding.MethodDescriptor.InputType;
        return transcoding.HttpRule.Body switch
        {
            "" => null,
            "*" => input,
            var field => input.FindFieldByName(field) is { FieldType: FieldType.Message, IsRepeated: false } f ? f.MessageType : null,
        };
    }

    private static bool IsJson(HttpRequest request) =>
        request.ContentType is { } type
        && (type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) || type.Contains("+json", StringComparison.OrdinalIgnoreCase));

    /// <summary>Null when the body parses as <paramref name="message"/>; otherwise the answer that says why not.</summary>
    private static async Task<IResult?> CheckBodyAsync(HttpRequest request, MessageDescriptor message, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            // Kept (in memory, on disk beyond 30 KB) so that the transcoder reads the same bytes again.
            request.EnableBuffering();
            using (var reader = new StreamReader(request.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true))
            {
                text = await reader.ReadToEndAsync(cancellationToken);
            }

            request.Body.Position = 0;
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's request-body limit: its message names the limit and nothing else.
            return GrpcStatusProblem.Result(e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge ? StatusCode.ResourceExhausted : StatusCode.InvalidArgument, e.Message);
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return Invalid(message, "the body is empty; send a JSON object ({} when no field is set)");
        }

        try
        {
            JsonParser.Default.Parse(new StringReader(text), message);
            return null;
        }
        catch (Exception e) when (e is InvalidJsonException or InvalidProtocolBufferException or FormatException or OverflowException or ArgumentException)
        {
            return Invalid(message, e.Message);
        }
    }

    private static IResult Invalid(MessageDescriptor message, string reason) =>
        GrpcStatusProblem.Result(StatusCodes.Status400BadRequest, StatusCode.InvalidArgument, $"the body is not a {message.FullName} in JSON: {reason}");

    /// <summary>The transcoder's <c>{"code", "message", "details"}</c> as a problem with the same HTTP status.</summary>
    private static async Task RewriteAsync(HttpContext context, byte[] body)
    {
        var response = context.Response;
        try
        {
            using var status = JsonDocument.Parse(body);
            var code = status.RootElement.GetProperty("code").GetInt32();
            var message = status.RootElement.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "";
            response.Headers.ContentLength = null;
            await GrpcStatusProblem.Result(response.StatusCode, (StatusCode)code, message).ExecuteAsync(context);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            // Not the transcoder's status body: passed on as it was written.
            await response.Body.WriteAsync(body, context.RequestAborted);
        }
    }

    /// <summary>
    /// The response stream while the transcoder writes: an answer with an error status is kept back
    /// (it is small: one status) to be rewritten; any other goes straight to the server.
    /// </summary>
    private sealed class ErrorCapture(HttpResponse response, Stream server) : Stream
    {
        private bool _decided;

        public MemoryStream? Error { get; private set; }

        private Stream Target
        {
            get
            {
                if (!_decided)
                {
                    _decided = true;
                    if (response.StatusCode >= 400)
                    {
                        Error = new MemoryStream();
                    }
                }

                return Error ?? server;
            }
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Target.Write(buffer, offset, count);

        public override void Write(ReadOnlySpan<byte> buffer) => Target.Write(buffer);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Target.WriteAsync(buffer, offset, count, cancellationToken);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            Target.WriteAsync(buffer, cancellationToken);

        public override void Flush() => Target.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => Target.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
