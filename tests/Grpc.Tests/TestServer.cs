using System.Net;
using Grpc.AspNetCore.Server;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Platform.Testing.V1;

namespace Grpc.Tests;

/// <summary>A real Kestrel HTTP/2 host on 127.0.0.1 and a free port, serving the probe and health services.</summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly List<IDisposable> _owned = [];

    private TestServer(WebApplication app)
    {
        App = app;
        Address = new Uri(app.Urls.First());
        Recorder = app.Services.GetRequiredService<ProbeRecorder>();
    }

    public WebApplication App { get; }
    public Uri Address { get; }
    public ProbeRecorder Recorder { get; }

    public static async Task<TestServer> StartAsync(Action<GrpcServiceOptions>? configure = null, int port = 0, Action<WebApplication>? map = null,
        CapturedLogs? logs = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
            builder.Logging.AddFilter("Grpc.AspNetCore.Server", LogLevel.Debug);
        }
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(configure);
        builder.Services.AddGrpcHealthChecks();
        builder.Services.AddSingleton<ProbeRecorder>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        var app = builder.Build();
        app.MapGrpcService<ProbeService>();
        app.MapGrpcHealthChecksService();
        map?.Invoke(app);
        await app.StartAsync();
        return new TestServer(app);
    }

    public GrpcChannel CreateChannel(GrpcChannelOptions? options = null)
    {
        var channel = GrpcChannel.ForAddress(Address, options ?? new GrpcChannelOptions());
        _owned.Add(channel);
        return channel;
    }

    public Probe.ProbeClient CreateClient(GrpcChannelOptions? options = null) => new(CreateChannel(options));

    /// <summary>A plain HTTP/2 client, to send what a gRPC client would not.</summary>
    public HttpClient CreateRawClient()
    {
        var client = new HttpClient(new SocketsHttpHandler())
        {
            BaseAddress = Address,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        _owned.Add(client);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var d in _owned) d.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
