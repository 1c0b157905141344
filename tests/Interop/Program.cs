using Interop;
using Microsoft.AspNetCore.Server.Kestrel.Core;

// The interop server: dotnet run --project tests/Interop -- --port N   (N = 0 picks a free port;
// the chosen port is printed as "Listening on port N" for test harnesses).
var port = 0;
for (var i = 0; i < args.Length; i++)
{
    var arg = args[i];
    if (arg.StartsWith("--port=", StringComparison.Ordinal)) port = int.Parse(arg["--port=".Length..], System.Globalization.CultureInfo.InvariantCulture);
    else if (arg == "--port" && i + 1 < args.Length) port = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
}

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k =>
{
    k.Listen(System.Net.IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2);
    k.AddServerHeader = false;
});
builder.Services.AddGrpc();
var app = builder.Build();
app.MapGrpcService<TestServiceImpl>();
await app.StartAsync();
var address = app.Urls.First();
Console.WriteLine($"Listening on port {new Uri(address).Port}");
Console.Out.Flush();
await app.WaitForShutdownAsync();
