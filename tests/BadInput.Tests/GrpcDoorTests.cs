using System.Buffers.Binary;
using System.Net;
using Google.Protobuf;
using Testing;
using Wsis.Consultations.V1;
using Xunit.Abstractions;

namespace BadInput.Tests;

/// <summary>
/// Hand-made gRPC requests no well-behaved client sends, to the Consultations and Teams services
/// directly and through the gateway's gRPC port: each is answered with a precise status and a
/// message without internals, and afterwards every process still serves and nothing stored changed.
/// </summary>
[Collection(BadInputCollection.Name)]
public sealed class GrpcDoorTests(BadInputCluster cluster, ITestOutputHelper output)
{
    private const int InvalidArgument = 3, ResourceExhausted = 8, Unimplemented = 12, Internal = 13, Unknown = 2, Unauthenticated = 16, NotFound = 5;
    private const string Submit = "/consultations.v1.Consultations/SubmitResponse";
    private const string GetStakeholder = "/teams.v1.Stakeholders/GetStakeholder";

    private IEnumerable<(string Door, Uri Address, string Path)> Doors() =>
    [
        ("consultations", cluster.ConsultationsAddress, Submit),
        ("teams", cluster.TeamsAddress, GetStakeholder),
        ("gateway→consultations", cluster.GatewayGrpc, Submit),
        ("gateway→teams", cluster.GatewayGrpc, GetStakeholder),
    ];

    private sealed record Answer(HttpStatusCode? Http, int? Status, string? Message, string Body, Exception? Failure)
    {
        public override string ToString() => Failure is not null ? $"transport failure {Failure.GetType().Name}: {Failure.Message}"
            : $"HTTP {(int?)Http} grpc-status {Status} grpc-message '{Message}'";
    }

    private async Task<Answer> SendAsync(Uri address, string path, HttpContent content, string contentType = "application/grpc",
        HttpMethod? method = null, params (string Key, string Value)[] headers)
    {
        var request = RawHttp2.Request(new Uri(address, path).ToString(), content, contentType, headers);
        if (method is not null)
        {
            request.Method = method;
        }

        try
        {
            var (response, body) = await RawHttp2.SendAsync(cluster.Http2, request);
            using (response)
            {
                var status = RawHttp2.Trailer(response, "grpc-status") ?? RawHttp2.Header(response, "grpc-status");
                var message = RawHttp2.Trailer(response, "grpc-message") ?? RawHttp2.Header(response, "grpc-message");
                if (message is not null)
                {
                    message = Uri.UnescapeDataString(message);
                }

                var text = System.Text.Encoding.UTF8.GetString(body);
                return new Answer(response.StatusCode, status is null ? null : int.Parse(status, System.Globalization.CultureInfo.InvariantCulture), message, text, null);
            }
        }
        catch (HttpRequestException e)
        {
            return new Answer(null, null, null, "", e);
        }
    }

    private static void AssertStatus(Answer answer, string what, params int[] expected)
    {
        Assert.True(answer.Status is { } s && expected.Contains(s), $"{what}: expected grpc-status {string.Join("|", expected)}, got {answer}");
        Assert.False(string.IsNullOrWhiteSpace(answer.Message), $"{what}: no grpc-message saying what is wrong ({answer})");
        Clean.AssertNoInternals(answer.Message, what + " grpc-message");
        Clean.AssertNoInternals(answer.Body, what + " body");
    }

    private static ByteArrayContent Body(byte[] bytes) => new(bytes);

    private static byte[] Frame(byte[] payload, byte flag = 0, int? declaredLength = null)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)(declaredLength ?? payload.Length));
        payload.CopyTo(frame, 5);
        return frame;
    }

    /// <summary>A valid request for the door's method, as bytes to corrupt.</summary>
    private byte[] ValidPayload(string path) => path == Submit
        ? new SubmitResponseRequest
        {
            ConsultationId = cluster.ConsultationId,
            Respondent = new Respondent { Name = "Fuzz", Organisation = "Fuzz", Category = RespondentCategory.CivilSociety, CountryCode = "CH" },
            Text = "fuzz",
        }.ToByteArray()
        : new Wsis.Teams.V1.GetStakeholderRequest { Id = Guid.NewGuid().ToString() }.ToByteArray();

    [Fact]
    public async Task Malformed_protobuf_bodies_get_a_precise_status()
    {
        output.WriteLine($"seed {cluster.Seed} (BAD_INPUT_SEED={cluster.Seed} reproduces)");
        var random = new Random(cluster.Seed);
        var cases = new List<(string Name, byte[] Payload, int[] Expected)>();
        for (var i = 0; i < 12; i++)
        {
            var bytes = new byte[random.Next(1, 200)];
            random.NextBytes(bytes);
            // Random bytes rarely parse; when they do the request is still missing what the method needs.
            cases.Add(($"random bytes #{i} ({Convert.ToHexString(bytes.AsSpan(0, Math.Min(8, bytes.Length)))}…)", bytes, [InvalidArgument, Internal, NotFound]));
        }

        cases.Add(("wire type 7 (does not exist)", [0x0F, 0x01], [InvalidArgument, Internal]));
        cases.Add(("end-group without start-group", [0x0C], [InvalidArgument, Internal]));
        cases.Add(("start-group never ended", [0x0B, 0x08, 0x01], [InvalidArgument, Internal]));
        cases.Add(("string field sent as varint", [0x08, 0x96, 0x01], [InvalidArgument, Internal, NotFound]));
        cases.Add(("truncated varint", [0x10, 0xFF, 0xFF, 0xFF], [InvalidArgument, Internal]));
        cases.Add(("varint longer than 10 bytes", [0x10, .. Enumerable.Repeat((byte)0xFF, 11), 0x01], [InvalidArgument, Internal]));
        cases.Add(("length-delimited field longer than the message", [0x0A, 0x7F, 0x41, 0x42], [InvalidArgument, Internal]));
        cases.Add(("negative length", [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x41], [InvalidArgument, Internal]));
        cases.Add(("field number 0", [0x00, 0x01], [InvalidArgument, Internal]));
        foreach (var (door, address, path) in Doors())
        {
            // Invalid UTF-8 in a string field (the last value of a field wins, so it replaces a valid one).
            var invalidUtf8 = ValidPayload(path).Concat(path == Submit ? new byte[] { 0x1A, 0x04, 0x41, 0xC3, 0x28, 0xFF } : [0x0A, 0x03, 0xE2, 0x82, 0x28]).ToArray();
            foreach (var (name, payload, expected) in cases.Append(("invalid UTF-8 in a string field", invalidUtf8, [InvalidArgument, Internal])))
            {
                var answer = await SendAsync(address, path, Body(Frame(payload)));
                output.WriteLine($"{door} {name}: {answer}");
                AssertStatus(answer, $"{door} {name}", expected);
            }
        }

        await cluster.AssertIntactAsync();
    }

    [Fact]
    public async Task Broken_framing_gets_a_precise_status()
    {
        foreach (var (door, address, path) in Doors())
        {
            var valid = ValidPayload(path);
            var cases = new (string Name, byte[] Body, int[] Expected)[]
            {
                ("declared length longer than sent, then END_STREAM", Frame(valid, declaredLength: valid.Length + 100), [Internal]),
                ("frame header cut short", Frame(valid)[..3], [Internal]),
                ("compressed flag without grpc-encoding", Frame(valid, flag: 1), [Internal]),
                // grpc-dotnet answers an undefined flag with UNKNOWN "Exception was thrown by handler." (its
                // reader's error never reaches the service's interceptor); the call still ends cleanly.
                ("compressed flag 2 (undefined)", Frame(valid, flag: 2), [Internal, Unknown]),
                ("two messages to a unary method", [.. Frame(valid), .. Frame(valid)], [Internal, Unimplemented]),
                ("no message at all", [], [Internal, Unimplemented]),
            };
            foreach (var (name, body, expected) in cases)
            {
                var answer = await SendAsync(address, path, Body(body));
                output.WriteLine($"{door} {name}: {answer}");
                AssertStatus(answer, $"{door} {name}", expected);
            }
        }

        await cluster.AssertIntactAsync();
    }

    [Fact]
    public async Task Oversized_messages_are_refused_with_resource_exhausted()
    {
        // Teams keeps gRPC's 4 MiB default; Consultations takes e-mails and attachments up to 64 MiB.
        var doors = new (string Door, Uri Address, string Path, int Size)[]
        {
            ("teams", cluster.TeamsAddress, GetStakeholder, 4 * 1024 * 1024 + 1),
            ("gateway→teams", cluster.GatewayGrpc, GetStakeholder, 4 * 1024 * 1024 + 1),
            ("consultations", cluster.ConsultationsAddress, Submit, 64 * 1024 * 1024 + 1),
        };
        foreach (var (door, address, path, size) in doors)
        {
            // One huge string field: parsing it would succeed, so only the size limit can refuse it.
            var payload = new byte[size];
            var header = new CodedOutputStream(payload);
            header.WriteTag(path == Submit ? 3 : 1, WireFormat.WireType.LengthDelimited);
            header.WriteLength(size - 6);
            header.Flush();
            payload.AsSpan(6).Fill((byte)'a');
            var answer = await SendAsync(address, path, Body(Frame(payload)));
            output.WriteLine($"{door} {size} bytes: {answer}");
            AssertStatus(answer, $"{door} {size} bytes", ResourceExhausted);
        }

        await cluster.AssertIntactAsync();
    }

    [Fact]
    public async Task Gzip_bombs_are_refused_with_resource_exhausted_and_leave_memory_where_it_was()
    {
        // One message of 128 MiB (twice Consultations' limit) that gzip shrinks to about 128 KiB;
        // 32 of them at once, without a token, as the probe of the old gRPC layer sent them.
        const int decompressed = 128 * 1024 * 1024;
        byte[] bomb;
        using (var compressed = new MemoryStream())
        {
            using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
            {
                var header = new byte[6];
                var writer = new CodedOutputStream(header);
                writer.WriteTag(3, WireFormat.WireType.LengthDelimited);
                writer.WriteLength(decompressed - 6);
                writer.Flush();
                gzip.Write(header);
                var block = new byte[1024 * 1024];
                block.AsSpan().Fill((byte)'a');
                for (var written = 6; written < decompressed; written += block.Length)
                {
                    gzip.Write(block, 0, Math.Min(block.Length, decompressed - written));
                }
            }

            bomb = compressed.ToArray();
        }

        var before = cluster.Consultations.ResidentBytes();
        var answers = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ =>
            SendAsync(cluster.ConsultationsAddress, Submit, Body(Frame(bomb, flag: 1)), headers: ("grpc-encoding", "gzip"))));
        foreach (var answer in answers)
        {
            AssertStatus(answer, $"gzip bomb ({bomb.Length} bytes inflating to {decompressed})", ResourceExhausted);
        }

        // A refused bomb costs at most the bound on inflated requests (Grpc:MaxInflatedRequestBytes);
        // 32 bombs inflated whole took 2.3 GiB, and the process kept it.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var after = cluster.Consultations.ResidentBytes();
        output.WriteLine($"{bomb.Length} bytes per bomb; resident memory {before / 1048576} MiB before, {after / 1048576} MiB after");
        Assert.True(after - before < 256L * 1024 * 1024, $"resident memory grew from {before / 1048576} MiB to {after / 1048576} MiB");
        await cluster.AssertIntactAsync();
    }

    [Fact]
    public async Task Wrong_content_type_and_method_are_refused()
    {
        foreach (var (door, address, path) in Doors())
        {
            foreach (var contentType in new[] { "text/plain", "application/json", "application/grpc-web", "multipart/form-data; boundary=x" })
            {
                var answer = await SendAsync(address, path, Body(Frame(ValidPayload(path))), contentType);
                output.WriteLine($"{door} {contentType}: {answer}");
                Assert.True(answer.Http == HttpStatusCode.UnsupportedMediaType, $"{door} content type {contentType}: expected 415, got {answer}");
                Clean.AssertNoInternals(answer.Body, $"{door} {contentType} body");
                Clean.AssertNoInternals(answer.Message, $"{door} {contentType} grpc-message");
            }

            foreach (var method in new[] { HttpMethod.Get, HttpMethod.Put, HttpMethod.Delete })
            {
                var answer = await SendAsync(address, path, Body(method == HttpMethod.Get ? [] : Frame(ValidPayload(path))), method: method);
                output.WriteLine($"{door} {method}: {answer}");
                Assert.True(answer.Http is HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotFound || answer.Status is Unimplemented or Internal,
                    $"{door} {method}: expected 404, 405 or UNIMPLEMENTED, got {answer}");
                Clean.AssertNoInternals(answer.Body, $"{door} {method} body");
                Clean.AssertNoInternals(answer.Message, $"{door} {method} grpc-message");
            }
        }

        await cluster.AssertIntactAsync();
    }

    [Fact]
    public async Task Bogus_timeouts_and_huge_metadata_do_not_break_a_call()
    {
        foreach (var (door, address, path) in Doors())
        {
            foreach (var timeout in new[] { "abc", "123456789S", "-1S", "1X", "S", "99999999H", "0n", "" })
            {
                var answer = await SendAsync(address, path, Body(Frame(ValidPayload(path))), headers: ("grpc-timeout", timeout));
                output.WriteLine($"{door} grpc-timeout '{timeout}': {answer}");
                // The call either runs as if no deadline were given (the answer the method gives) or is refused precisely.
                var normal = path == Submit ? new[] { 0, InvalidArgument } : [NotFound, InvalidArgument];
                AssertStatusOrOk(answer, $"{door} grpc-timeout '{timeout}'", [.. normal, 4, Internal]);
            }

            // 64 KiB in one header, and 2,000 small headers: over the server's header limits.
            var one = await SendAsync(address, path, Body(Frame(ValidPayload(path))), headers: ("x-huge", new string('h', 64 * 1024)));
            output.WriteLine($"{door} one 64 KiB header: {one}");
            AssertRefusedHeaders(one, $"{door} one 64 KiB header");
            var many = await SendAsync(address, path, Body(Frame(ValidPayload(path))),
                headers: [.. Enumerable.Range(0, 2000).Select(i => ($"x-m{i}", "value-" + i))]);
            output.WriteLine($"{door} 2,000 headers: {many}");
            AssertRefusedHeaders(many, $"{door} 2,000 headers");
            var binary = await SendAsync(address, path, Body(Frame(ValidPayload(path))), headers: ("x-data-bin", "!!!not base64!!!"));
            output.WriteLine($"{door} bad -bin header: {binary}");
            AssertStatusOrOk(binary, $"{door} bad -bin header", [0, InvalidArgument, NotFound, Internal]);
        }

        await cluster.AssertIntactAsync();
    }

    private static void AssertStatusOrOk(Answer answer, string what, int[] expected)
    {
        Assert.True(answer.Status is { } s && expected.Contains(s), $"{what}: expected grpc-status {string.Join("|", expected)}, got {answer}");
        Clean.AssertNoInternals(answer.Message, what + " grpc-message");
    }

    /// <summary>Headers beyond the limits: 431, or the stream/connection refused by the HTTP/2 layer, or
    /// a gRPC status saying so. Never UNKNOWN, never a crash (checked after).</summary>
    private static void AssertRefusedHeaders(Answer answer, string what)
    {
        Assert.True(answer.Failure is not null || answer.Http == HttpStatusCode.RequestHeaderFieldsTooLarge
            || answer.Status is ResourceExhausted or InvalidArgument or Internal or NotFound or Unauthenticated,
            $"{what}: expected 431, a refused stream or a precise status, got {answer}");
        Clean.AssertNoInternals(answer.Message, what + " grpc-message");
        Clean.AssertNoInternals(answer.Body, what + " body");
    }
}
