using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace Gateway.Tests;

/// <summary>A real gRPC implementation (Python grpcio, Debian's python3-grpcio) as the client,
/// through the gateway: it checks framing, headers, trailers and statuses as grpc-core reads them.</summary>
public sealed class GrpcioInteropTests(GrpcForwardingFixture f) : IClassFixture<GrpcForwardingFixture>
{
    [Fact]
    public async Task Python_grpcio_client_calls_every_method_kind_through_the_gateway()
    {
        const string python = "/usr/bin/python3";
        Assert.True(File.Exists(python), "python3 missing: run scripts/install-test-deps.sh (python3-grpcio)");
        var script = Path.Combine(AppContext.BaseDirectory, "interop", "grpcio_client.py");
        var start = new ProcessStartInfo(python, [script, $"127.0.0.1:{f.Gateway.GrpcAddress.Port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["no_proxy"] = "*";
        start.Environment["http_proxy"] = "";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(process.ExitCode == 0, "grpcio client failed: " + await stderr);

        using var json = JsonDocument.Parse(await stdout);
        var r = json.RootElement;
        Assert.Equal("b1:py", r.GetProperty("unary").GetString());
        Assert.Equal("m-py", r.GetProperty("unary_trailers").GetProperty("x-meta-echo").GetString());
        Assert.Equal("trailer-value", r.GetProperty("unary_trailers").GetProperty("x-trailer").GetString());
        Assert.Equal("b1", r.GetProperty("unary_headers").GetProperty("x-backend").GetString());
        Assert.Equal(["b1:0", "b1:1", "b1:2", "b1:3", "b1:4"], r.GetProperty("server_stream").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("x,y,z", r.GetProperty("client_stream").GetString());
        Assert.Equal(["echo:a", "echo:b"], r.GetProperty("bidi").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("NOT_FOUND", r.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("team T-1 not found – introuvable", r.GetProperty("error").GetProperty("details").GetString());
        Assert.Equal("DEADLINE_EXCEEDED", r.GetProperty("deadline").GetString());
    }
}
