using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests;

/// <summary>A real Kestrel HTTP/2 server on a free loopback port that speaks the gRPC wire
/// protocol by hand (framing, headers, trailers), so the forwarder is tested against what a
/// gRPC server puts on the wire without depending on any gRPC library.</summary>
public sealed class GrpcTestBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _root;

    private GrpcTestBackend(string name, WebApplication app, string root)
    {
        Name = name;
        _app = app;
        _root = root;
    }

    public string Name { get; }

    public Uri Address { get; private set; } = null!;

    public volatile bool Serving = true;

    /// <summary>Every request (calls and health probes) waits until the caller gives up: a hung instance.</summary>
    public volatile bool Hang;

    /// <summary>How long a health probe waits before it is answered: an instance slow under load.</summary>
    public volatile int ProbeDelayMilliseconds;

    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>The x-probe header of every request that carried one (the hostile clients' requests).</summary>
    public ConcurrentQueue<string> Probes { get; } = new();

    /// <summary>Every request as "METHOD /path?query".</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public int CallCount(string method) => Calls.Count(c => c == method);

    public ConcurrentDictionary<string, string> LastHeaders { get; } = new(StringComparer.OrdinalIgnoreCase);

    public TaskCompletionSource SlowCallStarted { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource SlowCallAborted { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<GrpcTestBackend> StartAsync(string name)
    {
        var root = Directory.CreateTempSubdirectory("gw-backend-").FullName;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = root, EnvironmentName = "Testing" });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
        var app = builder.Build();
        var backend = new GrpcTestBackend(name, app, root);
        backend.Map(app);
        await app.StartAsync();
        backend.Address = new Uri(app.Urls.Single());
        return backend;
    }

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            Calls.Enqueue(context.Request.Path.Value!.Split('/').Last());
            Requests.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
            if (context.Request.Headers.TryGetValue("x-probe", out var probe))
            {
                Probes.Enqueue(probe.ToString());
            }
            foreach (var (k, v) in context.Request.Headers)
            {
                LastHeaders[k] = v.ToString();
            }
            if (Hang)
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                }
                return;
            }
            await next(context);
        });

        app.MapPost("/test.v1.Echo/Unary", async context =>
        {
            var message = await ReadAsync(context);
            StartGrpc(context);
            context.Response.Headers["x-backend"] = Name;
            await WriteAsync(context, $"{Name}:{Text(message)}");
            context.Response.AppendTrailer("x-trailer", "trailer-value");
            context.Response.AppendTrailer("x-meta-echo", context.Request.Headers["x-meta"].ToString());
            Ok(context);
        });

        app.MapPost("/test.v1.Echo/Headers", async context =>
        {
            while (await GrpcWire.ReadMessageAsync(context.Request.Body, 1 << 20, context.RequestAborted) is not null)
            {
            }
            StartGrpc(context);
            var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
            await WriteAsync(context, JsonSerializer.Serialize(headers));
            Ok(context);
        });

        app.MapPost("/test.v1.Echo/ServerStream", async context =>
        {
            var count = int.Parse(Text(await ReadAsync(context)), System.Globalization.CultureInfo.InvariantCulture);
            StartGrpc(context);
            for (var i = 0; i < count; i++)
            {
                await WriteAsync(context, $"{Name}:{i}");
                await Task.Delay(10);
            }
            Ok(context);
        });

        app.MapPost("/test.v1.Echo/ClientStream", async context =>
        {
            var received = new List<string>();
            while (await GrpcWire.ReadMessageAsync(context.Request.Body, 1 << 20, context.RequestAborted) is { } m)
            {
                received.Add(Text(m));
            }
            StartGrpc(context);
            await WriteAsync(context, string.Join(",", received));
            Ok(context);
        });

        app.MapPost("/test.v1.Echo/Bidi", async context =>
        {
            // As grpc-dotnet does for a streaming method: the client may rest between messages.
            context.Features.Get<Microsoft.AspNetCore.Server.Kestrel.Core.Features.IHttpMinRequestBodyDataRateFeature>()!.MinDataRate = null;
            StartGrpc(context);
            // Headers first, as grpc servers do for a duplex call, before any message is read.
            await context.Response.StartAsync();
            await context.Response.Body.FlushAsync();
            while (await GrpcWire.ReadMessageAsync(context.Request.Body, 1 << 20, context.RequestAborted) is { } m)
            {
                await WriteAsync(context, "echo:" + Text(m));
            }
            Ok(context);
        });

        app.MapPost("/test.v1.Echo/TrailersOnly", async context =>
        {
            await ReadAsync(context);
            StartGrpc(context);
            context.Response.Headers[GrpcWire.StatusHeader] = "5";
            context.Response.Headers[GrpcWire.MessageHeader] = GrpcWire.EncodeMessage("team T-1 not found – introuvable");
        });

        app.MapPost("/test.v1.Echo/ErrorAfterMessage", async context =>
        {
            await ReadAsync(context);
            StartGrpc(context);
            await WriteAsync(context, "partial");
            context.Response.AppendTrailer(GrpcWire.StatusHeader, "9");
            context.Response.AppendTrailer(GrpcWire.MessageHeader, GrpcWire.EncodeMessage("deadline 2026-03-31 passed"));
            context.Response.AppendTrailer("x-error-detail-bin", Convert.ToBase64String([1, 2, 3, 250]));
        });

        app.MapPost("/test.v1.Echo/Slow", async context =>
        {
            await ReadAsync(context);
            SlowCallStarted.TrySetResult();
            var deadline = GrpcWire.ParseTimeout(context.Request.Headers[GrpcWire.TimeoutHeader]);
            try
            {
                await Task.Delay(deadline ?? TimeSpan.FromSeconds(30), context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                SlowCallAborted.TrySetResult();
                return;
            }
            StartGrpc(context);
            if (deadline is not null)
            {
                context.Response.Headers[GrpcWire.StatusHeader] = "4";
                context.Response.Headers[GrpcWire.MessageHeader] = "deadline exceeded at the service";
                return;
            }
            await WriteAsync(context, "late");
            Ok(context);
        });

        app.MapPost("/teams.v1.Teams/GetTeam", async context =>
        {
            var request = Wsis.Teams.V1.GetTeamRequest.Parser.ParseFrom(await ReadAsync(context));
            StartGrpc(context);
            if (request.Id == "missing")
            {
                context.Response.Headers[GrpcWire.StatusHeader] = "5";
                context.Response.Headers[GrpcWire.MessageHeader] = GrpcWire.EncodeMessage("team 'missing' not found");
                return;
            }
            // The public pages' teams in full; any other id a bare team named after it.
            var team = request.Id == PublicDataEndpoints.TeamC1.Id ? PublicDataEndpoints.TeamC1
                : request.Id == PublicDataEndpoints.TeamC2.Id ? PublicDataEndpoints.TeamC2
                : new Wsis.Teams.V1.Team { Id = request.Id, ActionLineCode = "C1", ActionLineTitle = "The role of public governance authorities" };
            await context.Response.Body.WriteAsync(GrpcWire.Frame(Google.Protobuf.MessageExtensions.ToByteArray(team)));
            Ok(context);
        });

        app.MapPost("/consultations.v1.Consultations/SubmitResponse", async context =>
        {
            var bytes = await ReadAsync(context);
            var request = Wsis.Consultations.V1.SubmitResponseRequest.Parser.ParseFrom(bytes);
            StartGrpc(context);
            if (request.Text.Length == 0)
            {
                context.Response.Headers[GrpcWire.StatusHeader] = "3";
                context.Response.Headers[GrpcWire.MessageHeader] = "text: must not be empty";
                return;
            }
            var receipt = new Wsis.Consultations.V1.Receipt
            {
                ResponseId = "r-1",
                TrackingNumber = $"{request.ConsultationId}-{request.Respondent?.Name}-{request.Attachments.Count}",
                ReceivedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero)),
                Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)),
            };
            await context.Response.Body.WriteAsync(GrpcWire.Frame(Google.Protobuf.MessageExtensions.ToByteArray(receipt)));
            Ok(context);
        });

        PublicDataEndpoints.Map(app);

        // What a service's JSON transcoding answers, for the gateway's JSON routes.
        app.MapGet("/v1/teams/{id}", (string id) => id == "missing"
            ? Results.Problem(title: "NOT_FOUND", detail: "team 'missing' not found", statusCode: 404, extensions: new Dictionary<string, object?> { ["grpcStatus"] = 5 })
            : Results.Json(new { id, actionLineCode = "C1", backend = Name }));
        app.MapPost("/v1/consultations/{id}/responses", async (string id, HttpContext context) =>
        {
            using var body = await System.Text.Json.JsonDocument.ParseAsync(context.Request.Body);
            return Results.Json(new { responseId = "r-1", trackingNumber = $"{id}-{body.RootElement.GetProperty("text").GetString()}" });
        });

        app.MapPost("/test.v1.Echo/Refuse", async context =>
        {
            // What a server turning away a stream under load does: RST_STREAM(REFUSED_STREAM).
            await ReadAsync(context);
            context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResetFeature>()!.Reset(7);
        });

        app.MapPost("/grpc.health.v1.Health/Check", async context =>
        {
            await ReadAsync(context);
            if (ProbeDelayMilliseconds > 0)
            {
                try
                {
                    await Task.Delay(ProbeDelayMilliseconds, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            StartGrpc(context);
            // HealthCheckResponse { status = SERVING (1) | NOT_SERVING (2) }: tag 0x08, varint.
            await context.Response.Body.WriteAsync(GrpcWire.Frame([0x08, Serving ? (byte)1 : (byte)2]));
            Ok(context);
        });
    }

    public void ResetSlowCall()
    {
        SlowCallStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        SlowCallAborted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static async Task<byte[]> ReadAsync(HttpContext context) =>
        await GrpcWire.ReadMessageAsync(context.Request.Body, 1 << 20, context.RequestAborted) ?? [];

    private static void StartGrpc(HttpContext context)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = GrpcWire.ContentType;
    }

    private static async Task WriteAsync(HttpContext context, string text)
    {
        await context.Response.Body.WriteAsync(GrpcWire.Frame(Encoding.UTF8.GetBytes(text)));
        await context.Response.Body.FlushAsync();
    }

    private static void Ok(HttpContext context) => context.Response.AppendTrailer(GrpcWire.StatusHeader, "0");

    private static string Text(byte[] message) => Encoding.UTF8.GetString(message);

    public async Task StopAsync() => await _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _app.StopAsync();
        }
        catch (Exception)
        {
        }
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_root, true);
        }
        catch (IOException)
        {
        }
    }
}
