using Google.Protobuf;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Testing;

namespace Interop;

/// <summary>
/// grpc.testing.TestService as the interop test descriptions define the server side:
/// payload sizes, echo of status and metadata, compression on request, expected-compression checks.
/// </summary>
public sealed class TestServiceImpl : TestService.TestServiceBase
{
    private const string EchoInitialKey = "x-grpc-test-echo-initial";
    private const string EchoTrailingKey = "x-grpc-test-echo-trailing-bin";

    public override Task<Empty> EmptyCall(Empty request, ServerCallContext context) => Task.FromResult(new Empty());

    public override async Task<SimpleResponse> UnaryCall(SimpleRequest request, ServerCallContext context)
    {
        await EchoMetadataAsync(context, request.ResponseCompressed?.Value ?? false);
        EnsureCompressedAsExpected(request.ExpectCompressed, context);
        ThrowIfStatusRequested(request.ResponseStatus);
        if (request.ResponseCompressed is not null)
        {
            context.WriteOptions = request.ResponseCompressed.Value ? new WriteOptions() : new WriteOptions(WriteFlags.NoCompress);
        }
        return new SimpleResponse { Payload = CreatePayload(request.ResponseSize) };
    }

    public override async Task StreamingOutputCall(StreamingOutputCallRequest request, IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        var compressAny = request.ResponseParameters.Any(p => p.Compressed?.Value == true);
        await EchoMetadataAsync(context, compressAny);
        ThrowIfStatusRequested(request.ResponseStatus);
        foreach (var parameters in request.ResponseParameters)
        {
            await WriteResponseAsync(parameters, responseStream, context);
        }
    }

    public override async Task<StreamingInputCallResponse> StreamingInputCall(IAsyncStreamReader<StreamingInputCallRequest> requestStream, ServerCallContext context)
    {
        await EchoMetadataAsync(context, false);
        var total = 0;
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            EnsureCompressedAsExpected(request.ExpectCompressed, context);
            total += request.Payload?.Body.Length ?? 0;
        }
        return new StreamingInputCallResponse { AggregatedPayloadSize = total };
    }

    public override async Task FullDuplexCall(IAsyncStreamReader<StreamingOutputCallRequest> requestStream, IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        await EchoMetadataAsync(context, false);
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            ThrowIfStatusRequested(request.ResponseStatus);
            foreach (var parameters in request.ResponseParameters)
            {
                await WriteResponseAsync(parameters, responseStream, context);
            }
        }
    }

    public override async Task HalfDuplexCall(IAsyncStreamReader<StreamingOutputCallRequest> requestStream, IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        await EchoMetadataAsync(context, false);
        var requests = new List<StreamingOutputCallRequest>();
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            requests.Add(request);
        }
        foreach (var request in requests)
        {
            ThrowIfStatusRequested(request.ResponseStatus);
            foreach (var parameters in request.ResponseParameters)
            {
                await WriteResponseAsync(parameters, responseStream, context);
            }
        }
    }

    private static async Task WriteResponseAsync(ResponseParameters parameters, IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        if (parameters.IntervalUs > 0)
        {
            await Task.Delay(TimeSpan.FromMicroseconds(parameters.IntervalUs), context.CancellationToken);
        }
        responseStream.WriteOptions = parameters.Compressed?.Value == true ? new WriteOptions() : new WriteOptions(WriteFlags.NoCompress);
        await responseStream.WriteAsync(new StreamingOutputCallResponse { Payload = CreatePayload(parameters.Size) });
    }

    /// <summary>Sends x-grpc-test-echo-initial back as a header and queues x-grpc-test-echo-trailing-bin as a trailer.</summary>
    private static async Task EchoMetadataAsync(ServerCallContext context, bool compressResponse)
    {
        var headers = new Metadata();
        if (context.RequestHeaders.Get(EchoInitialKey) is { } initial)
        {
            headers.Add(initial);
        }
        if (context.RequestHeaders.Get(EchoTrailingKey) is { } trailing)
        {
            context.ResponseTrailers.Add(trailing);
        }
        if (compressResponse)
        {
            // grpc-dotnet's per-call switch for response compression (never sent to the client).
            headers.Add("grpc-internal-encoding-request", "gzip");
        }
        if (headers.Count > 0)
        {
            await context.WriteResponseHeadersAsync(headers);
        }
    }

    /// <summary>
    /// grpc-dotnet does not expose a message's compressed flag to handlers, so, as its own interop
    /// server does, the check reads the call's request encoding: a client asked to compress that
    /// sends <c>identity</c> (or nothing) fails the probe.
    /// </summary>
    private static void EnsureCompressedAsExpected(BoolValue? expectCompressed, ServerCallContext context)
    {
        var encoding = context.GetHttpContext().Request.Headers["grpc-encoding"].ToString();
        if (expectCompressed?.Value == true && (encoding.Length == 0 || encoding == "identity"))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "Expected a compressed request message."));
        }
    }

    private static void ThrowIfStatusRequested(EchoStatus? status)
    {
        if (status is not null && status.Code != 0)
        {
            throw new RpcException(new Status((StatusCode)status.Code, status.Message));
        }
    }

    private static Payload CreatePayload(int size) => new() { Body = ByteString.CopyFrom(new byte[size]) };
}
