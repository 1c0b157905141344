using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Testing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.IdentityModel.Tokens;
using Platform.Domain;
using Platform.Security;
using Platform.ServiceDefaults;

// Servers of bench/grpc/run.sh, each answering grpc.testing.TestService/UnaryCall on Kestrel h2c.
// official, defaults, auth and token are grpc-dotnet (Grpc.AspNetCore), each adding one step of
// what a service host sets up, so the cost of each step shows:
//   Grpc.Bench --mode official|defaults|auth|token|bare --port N   (prints "Listening on port N")
//     official  a plain AddGrpc() on the slim builder
//     defaults  the full builder and AddServiceDefaults(): AddGrpcDefaults (the error interceptor,
//               the guarded method provider, health, reflection), console logs, problem details
//     auth      + AddBearerAuthentication() (JwtBearer, the policies, their middleware), the
//               method [AllowAnonymous] like a public read, called without a token
//     token     the same host with the method [Authorize(Policy = Policies.Authenticated)]; prints
//               "Bearer token: T", a token it accepts, for the load to send on every call
//     bare      Kestrel HTTP/2 with the gRPC framing written by hand: the ceiling
//     layer     the old name of official (bench/gateway/run.sh starts its backend with it)
//   Grpc.Bench --mode request --size S --out FILE   (writes one framed SimpleRequest for h2load)
//   Grpc.Bench --mode check --port N --size S [--token T]
//     a UnaryCall through Grpc.Net.Client must return S bytes; with a token, a call without one
//     must be refused UNAUTHENTICATED first (so the measured server really checks the token)
var mode = Arg("--mode") ?? "official";
switch (mode)
{
    case "request":
        await WriteRequestAsync(IntArg("--size", 100), Arg("--out") ?? "request.bin");
        return 0;
    case "check":
        return await CheckAsync(IntArg("--port", 0), IntArg("--size", 100), Arg("--token"));
    case "official" or "layer":
        await RunOfficialAsync(IntArg("--port", 0));
        return 0;
    case "defaults" or "auth" or "token":
        await RunWithProjectDefaultsAsync(IntArg("--port", 0), authentication: mode != "defaults", requireToken: mode == "token");
        return 0;
    case "bare":
        await RunBareAsync(IntArg("--port", 0));
        return 0;
    default:
        Console.Error.WriteLine($"unknown mode {mode}: official, defaults, auth, token, bare, request or check");
        return 2;
}

async Task RunOfficialAsync(int port)
{
    var builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    ListenH2c(builder, port);
    builder.Services.AddGrpc();
    var app = builder.Build();
    app.MapGrpcService<BenchTestService>();
    await ServeAsync(app);
}

async Task RunWithProjectDefaultsAsync(int port, bool authentication, bool requireToken)
{
    // The full builder, as the services' Program.cs use, with the log levels of their
    // appsettings.json (Microsoft.AspNetCore at Warning: no line per request) and keys made up
    // for this run.
    var builder = WebApplication.CreateBuilder();
    var secret = RandomNumberGenerator.GetBytes(32);
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Auth:Issuer"] = "wsis-bench",
        ["Auth:Audience"] = "wsis",
        ["Auth:SigningKeys:0"] = Convert.ToBase64String(secret),
    });
    ListenH2c(builder, port);
    builder.AddServiceDefaults();
    if (authentication)
    {
        builder.AddBearerAuthentication();
    }

    var app = builder.Build();
    app.MapServiceDefaults();
    if (requireToken)
    {
        app.MapGrpcService<AuthorizedBenchTestService>();
        var issuer = new DevelopmentTokenIssuer("wsis-bench", "wsis", new SymmetricSecurityKey(secret));
        var token = issuer.Mint(new DevelopmentTokenRequest("bench-partner", "Bench partner", [Role.Stakeholder], Org: "bench-org"));
        Console.WriteLine($"Bearer token: {token}");
    }
    else
    {
        app.MapGrpcService<AnonymousBenchTestService>();
    }

    await ServeAsync(app);
}

async Task RunBareAsync(int port)
{
    var builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    ListenH2c(builder, port);
    var app = builder.Build();
    app.MapPost("/grpc.testing.TestService/UnaryCall", BareUnaryCall.HandleAsync);
    await ServeAsync(app);
}

static void ListenH2c(WebApplicationBuilder builder, int port) =>
    builder.WebHost.ConfigureKestrel(k =>
    {
        k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2);
        k.AddServerHeader = false;
    });

static async Task ServeAsync(WebApplication app)
{
    await app.StartAsync();
    Console.WriteLine($"Listening on port {new Uri(app.Urls.First()).Port}");
    await app.WaitForShutdownAsync();
}

static async Task WriteRequestAsync(int size, string path)
{
    var payload = NewRequest(size).ToByteArray();
    var frame = new byte[5 + payload.Length];
    BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
    payload.CopyTo(frame, 5);
    await File.WriteAllBytesAsync(path, frame);
}

static async Task<int> CheckAsync(int port, int size, string? token)
{
    using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
    var client = new TestService.TestServiceClient(channel);
    if (token is not null)
    {
        try
        {
            await client.UnaryCallAsync(NewRequest(size));
            Console.Error.WriteLine("check: a call without a token was answered; the server does not check tokens");
            return 1;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated)
        {
        }
    }

    var headers = token is null ? null : new Metadata { { "authorization", $"Bearer {token}" } };
    var response = await client.UnaryCallAsync(NewRequest(size), headers);
    if (response.Payload.Body.Length != size)
    {
        Console.Error.WriteLine($"check: {response.Payload.Body.Length} bytes answered, {size} asked");
        return 1;
    }

    return 0;
}

static SimpleRequest NewRequest(int size) =>
    new() { ResponseSize = size, Payload = new Payload { Body = ByteString.CopyFrom(new byte[size]) } };

string? Arg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

int IntArg(string name, int fallback) =>
    Arg(name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

/// <summary>UnaryCall on grpc-dotnet: a payload of the requested size.</summary>
internal class BenchTestService : TestService.TestServiceBase
{
    public override Task<SimpleResponse> UnaryCall(SimpleRequest request, ServerCallContext context) =>
        Task.FromResult(new SimpleResponse { Payload = new Payload { Body = ByteString.CopyFrom(new byte[request.ResponseSize]) } });
}

/// <summary>The same UnaryCall declared the way a service declares a public read.</summary>
internal sealed class AnonymousBenchTestService : BenchTestService
{
    [AllowAnonymous]
    public override Task<SimpleResponse> UnaryCall(SimpleRequest request, ServerCallContext context) => base.UnaryCall(request, context);
}

/// <summary>The same UnaryCall declared the way a service declares a method for any caller with a valid token.</summary>
internal sealed class AuthorizedBenchTestService : BenchTestService
{
    [Authorize(Policy = Policies.Authenticated)]
    public override Task<SimpleResponse> UnaryCall(SimpleRequest request, ServerCallContext context) => base.UnaryCall(request, context);
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
