using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Interop;

/// <summary>Hosts <see cref="TestServiceImpl"/> on Kestrel HTTP/2 (h2c) on 127.0.0.1.</summary>
public static class InteropServer
{
    /// <summary>Starts the server; port 0 picks a free one (read it from the returned app's Urls).</summary>
    public static async Task<WebApplication> StartAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2);
            k.AddServerHeader = false;
        });
        builder.Services.AddGrpc();
        var app = builder.Build();
        app.MapGrpcService<TestServiceImpl>();
        await app.StartAsync();
        return app;
    }

    public static int Port(this WebApplication app) => new Uri(app.Urls.First()).Port;
}
