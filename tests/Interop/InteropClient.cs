using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Testing;

namespace Interop;

/// <summary>
/// The interop cases (interop-test-descriptions.md) run by the project's own client. The
/// compressed-flag bit is not visible through the Grpc.Core API, so the server_compressed cases
/// check the calls and payloads, as the Python and Node clients do.
/// </summary>
public static class InteropClient
{
    public static readonly string[] Cases =
    [
        "empty_unary", "large_unary", "client_compressed_unary", "server_compressed_unary", "client_streaming",
        "client_compressed_streaming", "server_streaming", "server_compressed_streaming", "ping_pong", "empty_stream",
        "custom_metadata", "status_code_and_message", "special_status_message", "unimplemented_method",
        "unimplemented_service", "cancel_after_begin", "cancel_after_first_response", "timeout_on_sleeping_server",
    ];

    private static readonly Metadata Gzip = new() { { "grpc-internal-encoding-request", "gzip" } };

    /// <param name="serverChecksCompression">
    /// Whether the server has the CompressedRequest feature (fails an uncompressed request that
    /// expected compression). Python grpcio servers cannot, so their probe succeeds.
    /// </param>
    public static async Task RunAsync(Uri address, string testCase, bool serverChecksCompression = true)
    {
        using var channel = GrpcChannel.ForAddress(address);
        var client = new TestService.TestServiceClient(channel);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        switch (testCase)
        {
            case "empty_unary":
                Check(await client.EmptyCallAsync(new Empty(), deadline: deadline) is not null, "no response");
                break;
            case "large_unary":
            {
                var r = await client.UnaryCallAsync(new SimpleRequest { ResponseSize = 314159, Payload = Zeros(271828) }, deadline: deadline);
                CheckPayload(r.Payload, 314159);
                break;
            }
            case "client_compressed_unary":
            {
                SimpleRequest Request(bool expect) => new() { ExpectCompressed = new BoolValue { Value = expect }, ResponseSize = 314159, Payload = Zeros(271828) };
                try
                {
                    await client.UnaryCallAsync(Request(true), deadline: deadline);
                    Check(!serverChecksCompression, "the uncompressed probe was accepted");
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument && serverChecksCompression)
                {
                }
                CheckPayload((await client.UnaryCallAsync(Request(true), Gzip, deadline)).Payload, 314159);
                CheckPayload((await client.UnaryCallAsync(Request(false), deadline: deadline)).Payload, 314159);
                break;
            }
            case "server_compressed_unary":
                foreach (var compressed in new[] { true, false })
                {
                    var r = await client.UnaryCallAsync(new SimpleRequest { ResponseCompressed = new BoolValue { Value = compressed }, ResponseSize = 314159, Payload = Zeros(271828) }, deadline: deadline);
                    CheckPayload(r.Payload, 314159);
                }
                break;
            case "client_streaming":
            {
                using var call = client.StreamingInputCall(deadline: deadline);
                foreach (var size in new[] { 27182, 8, 1828, 45904 })
                {
                    await call.RequestStream.WriteAsync(new StreamingInputCallRequest { Payload = Zeros(size) });
                }
                await call.RequestStream.CompleteAsync();
                Check((await call).AggregatedPayloadSize == 74922, "aggregated size");
                break;
            }
            case "client_compressed_streaming":
            {
                var probe = new StreamingInputCallRequest { ExpectCompressed = new BoolValue { Value = true }, Payload = Zeros(27182) };
                using (var first = client.StreamingInputCall(deadline: deadline))
                {
                    await first.RequestStream.WriteAsync(probe);
                    await first.RequestStream.CompleteAsync();
                    try
                    {
                        await first;
                        Check(!serverChecksCompression, "the uncompressed probe was accepted");
                    }
                    catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument && serverChecksCompression)
                    {
                    }
                }
                using var call = client.StreamingInputCall(Gzip, deadline);
                await call.RequestStream.WriteAsync(probe);
                call.RequestStream.WriteOptions = new WriteOptions(WriteFlags.NoCompress);
                await call.RequestStream.WriteAsync(new StreamingInputCallRequest { ExpectCompressed = new BoolValue { Value = false }, Payload = Zeros(45904) });
                await call.RequestStream.CompleteAsync();
                Check((await call).AggregatedPayloadSize == 73086, "aggregated size");
                break;
            }
            case "server_streaming":
            case "server_compressed_streaming":
            {
                var sizes = testCase == "server_streaming" ? new[] { 31415, 9, 2653, 58979 } : new[] { 31415, 92653 };
                var request = new StreamingOutputCallRequest();
                for (var i = 0; i < sizes.Length; i++)
                {
                    request.ResponseParameters.Add(new ResponseParameters
                    {
                        Size = sizes[i],
                        Compressed = testCase == "server_streaming" ? null : new BoolValue { Value = i == 0 },
                    });
                }
                using var call = client.StreamingOutputCall(request, deadline: deadline);
                var got = new List<int>();
                await foreach (var r in call.ResponseStream.ReadAllAsync()) got.Add(r.Payload.Body.Length);
                Check(got.SequenceEqual(sizes), $"sizes {string.Join(",", got)}");
                break;
            }
            case "ping_pong":
            {
                using var call = client.FullDuplexCall(deadline: deadline);
                foreach (var (resp, req) in new[] { (31415, 27182), (9, 8), (2653, 1828), (58979, 45904) })
                {
                    await call.RequestStream.WriteAsync(new StreamingOutputCallRequest { ResponseParameters = { new ResponseParameters { Size = resp } }, Payload = Zeros(req) });
                    Check(await call.ResponseStream.MoveNext(), "missing response");
                    CheckPayload(call.ResponseStream.Current.Payload, resp);
                }
                await call.RequestStream.CompleteAsync();
                Check(!await call.ResponseStream.MoveNext(), "more responses than requests");
                break;
            }
            case "empty_stream":
            {
                using var call = client.FullDuplexCall(deadline: deadline);
                await call.RequestStream.CompleteAsync();
                Check(!await call.ResponseStream.MoveNext(), "a response to no request");
                break;
            }
            case "custom_metadata":
            {
                var headers = new Metadata
                {
                    { "x-grpc-test-echo-initial", "test_initial_metadata_value" },
                    { "x-grpc-test-echo-trailing-bin", new byte[] { 0xab, 0xab, 0xab } },
                };
                void Verify(Metadata initial, Metadata trailing, string what)
                {
                    Check(initial.GetValue("x-grpc-test-echo-initial") == "test_initial_metadata_value", $"{what}: initial metadata");
                    Check(trailing.GetValueBytes("x-grpc-test-echo-trailing-bin") is [0xab, 0xab, 0xab], $"{what}: trailing metadata");
                }
                using (var unary = client.UnaryCallAsync(new SimpleRequest { ResponseSize = 314159, Payload = Zeros(271828) }, headers, deadline))
                {
                    CheckPayload((await unary).Payload, 314159);
                    Verify(await unary.ResponseHeadersAsync, unary.GetTrailers(), "unary");
                }
                using var call = client.FullDuplexCall(headers, deadline);
                await call.RequestStream.WriteAsync(new StreamingOutputCallRequest { ResponseParameters = { new ResponseParameters { Size = 314159 } }, Payload = Zeros(271828) });
                await call.RequestStream.CompleteAsync();
                Check(await call.ResponseStream.MoveNext(), "duplex: no response");
                CheckPayload(call.ResponseStream.Current.Payload, 314159);
                Check(!await call.ResponseStream.MoveNext(), "duplex: extra response");
                Verify(await call.ResponseHeadersAsync, call.GetTrailers(), "duplex");
                break;
            }
            case "status_code_and_message":
            case "special_status_message":
            {
                var message = testCase == "status_code_and_message"
                    ? "test status message"
                    : "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \U0001F608\t\n";
                var status = new EchoStatus { Code = 2, Message = message };
                var e1 = await Expect(StatusCode.Unknown, () => client.UnaryCallAsync(new SimpleRequest { ResponseStatus = status }, deadline: deadline).ResponseAsync);
                Check(e1.Status.Detail == message, $"unary message {e1.Status.Detail}");
                if (testCase == "status_code_and_message")
                {
                    using var call = client.FullDuplexCall(deadline: deadline);
                    await call.RequestStream.WriteAsync(new StreamingOutputCallRequest { ResponseStatus = status });
                    await call.RequestStream.CompleteAsync();
                    var e2 = await Expect(StatusCode.Unknown, () => call.ResponseStream.MoveNext());
                    Check(e2.Status.Detail == message, $"duplex message {e2.Status.Detail}");
                }
                break;
            }
            case "unimplemented_method":
                await Expect(StatusCode.Unimplemented, () => client.UnimplementedCallAsync(new Empty(), deadline: deadline).ResponseAsync);
                break;
            case "unimplemented_service":
                await Expect(StatusCode.Unimplemented, () => new UnimplementedService.UnimplementedServiceClient(channel).UnimplementedCallAsync(new Empty(), deadline: deadline).ResponseAsync);
                break;
            case "cancel_after_begin":
            {
                using var cts = new CancellationTokenSource();
                using var call = client.StreamingInputCall(deadline: deadline, cancellationToken: cts.Token);
                cts.Cancel();
                await Expect(StatusCode.Cancelled, () => call.ResponseAsync);
                break;
            }
            case "cancel_after_first_response":
            {
                using var cts = new CancellationTokenSource();
                using var call = client.FullDuplexCall(deadline: deadline, cancellationToken: cts.Token);
                await call.RequestStream.WriteAsync(new StreamingOutputCallRequest { ResponseParameters = { new ResponseParameters { Size = 31415 } }, Payload = Zeros(27182) });
                Check(await call.ResponseStream.MoveNext(), "no first response");
                CheckPayload(call.ResponseStream.Current.Payload, 31415);
                cts.Cancel();
                await Expect(StatusCode.Cancelled, () => call.ResponseStream.MoveNext());
                break;
            }
            case "timeout_on_sleeping_server":
            {
                using var call = client.FullDuplexCall(deadline: DateTime.UtcNow.AddMilliseconds(1));
                try
                {
                    await call.RequestStream.WriteAsync(new StreamingOutputCallRequest { Payload = Zeros(27182) });
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded)
                {
                    // The deadline may pass before the write: that is the case's point.
                }
                await Expect(StatusCode.DeadlineExceeded, () => call.ResponseStream.MoveNext());
                break;
            }
            default:
                throw new ArgumentException($"Unknown test case '{testCase}'.", nameof(testCase));
        }
    }

    private static Payload Zeros(int size) => new() { Body = ByteString.CopyFrom(new byte[size]) };

    private static void CheckPayload(Payload payload, int size)
    {
        Check(payload.Body.Length == size, $"payload size {payload.Body.Length}, expected {size}");
        Check(payload.Body.Span.IndexOfAnyExcept((byte)0) < 0, "payload is not zeros");
    }

    private static async Task<RpcException> Expect(StatusCode code, Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (RpcException e)
        {
            Check(e.StatusCode == code, $"expected {code}, got {e.StatusCode}: {e.Status.Detail}");
            return e;
        }
        throw new InvalidOperationException($"expected {code}, the call succeeded");
    }

    private static void Check(bool condition, string message)
    {
        if (!condition) throw new InvalidOperationException(message);
    }
}
