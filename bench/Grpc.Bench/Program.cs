using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Core;

// bench servers: Grpc.Bench --mode layer|bare --port N  (prints "Listening on port N")
//                Grpc.Bench --mode request --size S --out FILE  (writes one framed SimpleRequest)
var mode = Arg("--mode") ?? "layer";
if (mode == "request")
{
    var size = int.Parse(Arg("--size") ?? "100", System.Globalization.CultureInfo.InvariantCulture);
    var request = new SimpleRequest { ResponseSize = size, Payload = new Payload { Body = ByteString.CopyFrom(new byte[size]) } };
    var payload = request.ToByteArray();
    var frame = new byte[5 + payload.Length];
    BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
    payload.CopyTo(frame, 5);
    await File.WriteAllBytesAsync(Arg("--out") ?? "request.bin", frame);
    return;
}

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k =>
{
    k.Listen(IPAddress.Loopback, int.Parse(Arg("--port") ?? "0", System.Globalization.CultureInfo.InvariantCulture), o => o.Protocols = HttpProtocols.Http2);
    k.AddServerHeader = false;
});
if (mode == "layer") builder.Services.AddGrpc(o => o.IgnoreUnknownServices = Environment.GetEnvironmentVariable("BENCH_NO_FALLBACK") == "1");
var app = builder.Build();
if (mode == "layer")
{
    app.MapGrpcService<BenchTestService>();
}
else
{
    app.MapPost("/grpc.testing.TestService/UnaryCall", BareUnaryCall.HandleAsync);
}
await app.StartAsync();
Console.WriteLine($"Listening on port {new Uri(app.Urls.First()).Port}");
await app.WaitForShutdownAsync();

string? Arg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

/// <summary>UnaryCall on the gRPC layer: a payload of the requested size.</summary>
internal sealed class BenchTestService : TestService.TestServiceBase
{
    public override Task<SimpleResponse> UnaryCall(SimpleRequest request, ServerCallContext context) =>
        Task.FromResult(new SimpleResponse { Payload = new Payload { Body = ByteString.CopyFrom(new byte[request.ResponseSize]) } });
}

/// <summary>The same UnaryCall with the gRPC framing done by hand on Kestrel: the ceiling.</summary>
internal static class BareUnaryCall
{
    public static async Task HandleAsync(HttpContext context)
    {
        var reader = context.Request.BodyReader;
        ReadResult result;
        while (true)
        {
            result = await reader.ReadAsync();
            if (result.IsCompleted) break;
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
        var buffer = result.Buffer;
        Span<byte> header = stackalloc byte[5];
        buffer.Slice(0, 5).CopyTo(header);
        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        var request = SimpleRequest.Parser.ParseFrom(buffer.Slice(5, length));
        reader.AdvanceTo(buffer.End);

        var response = new SimpleResponse { Payload = new Payload { Body = ByteString.CopyFrom(new byte[request.ResponseSize]) } };
        context.Response.ContentType = "application/grpc";
        var size = response.CalculateSize();
        var writer = context.Response.BodyWriter;
        var span = writer.GetSpan(5);
        span[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)size);
        writer.Advance(5);
        response.WriteTo((IBufferWriter<byte>)writer);
        context.Response.AppendTrailer("grpc-status", "0");
    }
}
