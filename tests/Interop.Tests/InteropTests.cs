using System.Diagnostics;
using Interop;
using Microsoft.AspNetCore.Builder;

namespace Interop.Tests;

/// <summary>Where the interop peers' scripts and the descriptor set are.</summary>
internal static class InteropPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();
    public static string Python => "/usr/bin/python3";
    public static string PythonDir => Path.Combine(RepoRoot, "tests", "Interop", "python");
    public static string NodeDir => Path.Combine(RepoRoot, "tests", "Interop", "node");
    public static string DescriptorSet => Path.Combine(AppContext.BaseDirectory, "interop.pb");

    public static IEnumerable<object[]> Cases => InteropClient.Cases.Select(c => new object[] { c });

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Microservices.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Microservices.sln not found above the test binaries.");
    }

    public static void RequirePeers()
    {
        if (!File.Exists(Python))
            throw new InvalidOperationException("/usr/bin/python3 is missing: run scripts/install-test-deps.sh (Debian python3-grpcio, python3-protobuf).");
        if (!Directory.Exists(Path.Combine(NodeDir, "node_modules", "@grpc", "grpc-js")))
            throw new InvalidOperationException("tests/Interop/node/node_modules is missing: run scripts/install-test-deps.sh (npm ci).");
    }

    /// <summary>Runs a peer process to completion; returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo(fileName) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, "timed out after 60 s\n" + await stdout + await stderr);
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}

/// <summary>The interop server of tests/Interop, in process on a free loopback port.</summary>
public sealed class InteropServerFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public int Port { get; private set; }

    public async Task InitializeAsync()
    {
        _app = await InteropServer.StartAsync(0);
        Port = _app.Port();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

/// <summary>
/// Real gRPC clients written by others (Python grpcio, Node grpc-js) against this layer's server.
/// Each peer runs every case in one process (starting an interpreter per case would take most of
/// the time); each case is still its own test, reading that case's line of the run.
/// </summary>
public class InteropClientsTests(InteropClientsTests.PeerRuns runs) : IClassFixture<InteropClientsTests.PeerRuns>
{
    public sealed class PeerRuns : IAsyncLifetime
    {
        private readonly InteropServerFixture _server = new();
        private Task<Dictionary<string, string>>? _python;
        private Task<Dictionary<string, string>>? _node;

        public int Port => _server.Port;

        public Task InitializeAsync() => _server.InitializeAsync();

        public Task DisposeAsync() => _server.DisposeAsync();

        public Task<Dictionary<string, string>> Python() => _python ??= RunAllAsync(InteropPaths.Python, InteropPaths.PythonDir,
            "interop_client.py", $"--server_port={Port}", "--test_case=all", $"--descriptor_set={InteropPaths.DescriptorSet}");

        public Task<Dictionary<string, string>> Node() => _node ??= RunAllAsync("node", InteropPaths.NodeDir,
            "client.js", $"--server_port={Port}", "--test_case=all");

        private static async Task<Dictionary<string, string>> RunAllAsync(string fileName, string directory, params string[] args)
        {
            InteropPaths.RequirePeers();
            var (_, output) = await InteropPaths.RunAsync(fileName, directory, args);
            var results = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var parts = line.Split(' ', 3);
                if (parts.Length >= 2 && parts[0] is "PASS" or "FAIL") results[parts[1].TrimEnd(':')] = line;
            }
            results[""] = output;
            return results;
        }
    }

    [Theory]
    [MemberData(nameof(InteropPaths.Cases), MemberType = typeof(InteropPaths))]
    public async Task Python_grpcio_client_passes(string testCase) => AssertPassed(await runs.Python(), testCase);

    [Theory]
    [MemberData(nameof(InteropPaths.Cases), MemberType = typeof(InteropPaths))]
    public async Task Node_grpc_js_client_passes(string testCase) => AssertPassed(await runs.Node(), testCase);

    [Theory]
    [MemberData(nameof(InteropPaths.Cases), MemberType = typeof(InteropPaths))]
    public async Task Own_client_passes(string testCase) =>
        await InteropClient.RunAsync(new Uri($"http://127.0.0.1:{runs.Port}"), testCase);

    private static void AssertPassed(Dictionary<string, string> results, string testCase)
    {
        Assert.True(results.TryGetValue(testCase, out var line), $"no result for {testCase}; peer output:\n{results[""]}");
        Assert.Equal($"PASS {testCase}", line);
    }
}

/// <summary>A Python grpcio interop server, started as a process on a free loopback port.</summary>
public sealed class PythonServerFixture : IAsyncLifetime
{
    private Process? _process;

    public int Port { get; private set; }

    public async Task InitializeAsync()
    {
        InteropPaths.RequirePeers();
        var info = new ProcessStartInfo(InteropPaths.Python) { WorkingDirectory = InteropPaths.PythonDir, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("interop_server.py");
        info.ArgumentList.Add("--port=0");
        info.ArgumentList.Add($"--descriptor_set={InteropPaths.DescriptorSet}");
        _process = Process.Start(info)!;
        var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (line is null || !line.StartsWith("Listening on port ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The Python interop server did not start: {line} {await _process.StandardError.ReadToEndAsync()}");
        }
        Port = int.Parse(line["Listening on port ".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false }) _process.Kill(entireProcessTree: true);
        _process?.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>This layer's client against a real Python grpcio server: the other direction.</summary>
public class InteropPythonServerTests(PythonServerFixture server) : IClassFixture<PythonServerFixture>
{
    [Theory]
    [MemberData(nameof(InteropPaths.Cases), MemberType = typeof(InteropPaths))]
    public async Task Own_client_passes_against_python_server(string testCase)
    {
        // grpcio hides request compression from handlers, so that server cannot fail the
        // uncompressed probe of the client_compressed cases; the compressed calls are still made.
        await InteropClient.RunAsync(new Uri($"http://127.0.0.1:{server.Port}"), testCase, serverChecksCompression: false);
    }
}
