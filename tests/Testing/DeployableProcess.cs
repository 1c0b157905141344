using System.Diagnostics;
using System.Net.Http;

namespace Testing;

/// <summary>
/// One of the repository's deployables (a service, the gateway, the embedded host) run as its own
/// process from its build output, the way the cluster runs it: <c>dotnet &lt;dll&gt;</c> with
/// configuration in environment variables, output in a log file. Kill (SIGKILL) and Stop (SIGTERM)
/// for fault tests; Start again with the same settings. A sidecar kills it if the test process dies.
/// </summary>
public sealed class DeployableProcess : IAsyncDisposable
{
    private readonly string _dll;
    private readonly IReadOnlyList<string> _arguments;
    private Process? _process;
    private ProcessDeathWatch? _deathWatch;
    private long _logOffset;

    private DeployableProcess(string name, string dll, string workingDirectory, IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> arguments)
    {
        Name = name;
        _dll = dll;
        WorkingDirectory = workingDirectory;
        Environment = new Dictionary<string, string>(environment);
        _arguments = arguments;
        LogFile = Path.Combine(workingDirectory, name + ".log");
    }

    public string Name { get; }
    public string WorkingDirectory { get; }
    public string LogFile { get; }

    /// <summary>The environment of the next start (change it between Kill and Start to reconfigure).</summary>
    public Dictionary<string, string> Environment { get; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The resident memory of the running process (VmRSS of /proc), in bytes.</summary>
    public long ResidentBytes()
    {
        var process = _process ?? throw new InvalidOperationException($"{Name} is not running.");
        var line = File.ReadLines($"/proc/{process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    public static DeployableProcess Start(string name, string dll, string workingDirectory,
        IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var process = new DeployableProcess(name, dll, workingDirectory, environment, arguments);
        process.Start();
        return process;
    }

    public void Start()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"{Name} is already running.");
        }

        Directory.CreateDirectory(WorkingDirectory);
        // appsettings.json sits beside the dll; the working directory is the test's own folder.
        Environment.TryAdd("ASPNETCORE_CONTENTROOT", Path.GetDirectoryName(_dll)!);
        var command = "cd " + ExternalCommand.Quote(WorkingDirectory) + " && exec dotnet " + ExternalCommand.Quote(_dll) +
            string.Concat(_arguments.Select(a => " " + ExternalCommand.Quote(a)));
        File.AppendAllText(LogFile, $"--- start {DateTimeOffset.UtcNow:O}{System.Environment.NewLine}");
        _logOffset = new FileInfo(LogFile).Length;
        _process = ExternalCommand.StartDetached(command, Environment, LogFile, newSession: false);
        _deathWatch?.Dispose();
        _deathWatch = new ProcessDeathWatch($"kill -9 {_process.Id} 2>/dev/null");
    }

    /// <summary>SIGKILL: the process gets no chance to finish anything.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>SIGTERM, as an orchestrator stops a container; waits for the process to exit.</summary>
    public async Task StopAsync(TimeSpan? timeout = null)
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        await ExternalCommand.RunAsync("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
        }
    }

    /// <summary>Waits until <paramref name="url"/> answers 2xx (e.g. /healthz), failing early with the log if the process died.</summary>
    public async Task WaitUntilHttpOkAsync(string url, TimeSpan timeout)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await WaitUntilAsync(async () =>
        {
            try
            {
                using var response = await client.GetAsync(url);
                return response.IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }, timeout, $"{url} to answer");
    }

    /// <summary>Waits until something accepts connections on <paramref name="port"/>.</summary>
    public Task WaitUntilListeningAsync(int port, TimeSpan timeout) =>
        WaitUntilAsync(() => Task.FromResult(FreePort.IsListening(port)), timeout, $"port {port} to listen");

    /// <summary>Waits until the process's output contains <paramref name="text"/>.</summary>
    public Task WaitForOutputAsync(string text, TimeSpan timeout) =>
        WaitUntilAsync(() => Task.FromResult(Output().Contains(text, StringComparison.Ordinal)), timeout, $"'{text}' in the output");

    /// <summary>What the process wrote since its last start.</summary>
    public string Output() => File.Exists(LogFile) ? ReadShared(LogFile, _logOffset) : "";

    private async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < timeout)
        {
            if (await condition())
            {
                return;
            }

            if (_process is { HasExited: true } process)
            {
                throw new InvalidOperationException($"{Name} exited with code {process.ExitCode} while waiting for {what}. Output:\n{Tail()}");
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{Name}: no {what} after {timeout.TotalSeconds:0} s. Output:\n{Tail()}");
    }

    /// <summary>The end of the log, for failure messages.</summary>
    public string Tail(int characters = 6000)
    {
        var text = File.Exists(LogFile) ? ReadShared(LogFile, 0) : "";
        return text.Length <= characters ? text : text[^characters..];
    }

    private static string ReadShared(string path, long offset)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        stream.Seek(Math.Min(offset, stream.Length), SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        _deathWatch?.Dispose();
    }
}

/// <summary>Finds a deployable's build output next to this test assembly's: same configuration and framework.</summary>
public static class BuildOutput
{
    /// <summary>The repository root (the folder holding Microservices.sln).</summary>
    public static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Microservices.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("Microservices.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary><c>&lt;repo&gt;/&lt;project folder&gt;/bin/&lt;Configuration&gt;/&lt;tfm&gt;/&lt;assembly&gt;.dll</c>, with this assembly's configuration and framework.</summary>
    public static string Dll(string projectFolder, string assemblyName)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var targetFramework = output.Name;
        var configuration = output.Parent!.Name;
        var path = Path.Combine(RepositoryRoot(), projectFolder, "bin", configuration, targetFramework, assemblyName + ".dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is not built; build {projectFolder} ({configuration}) first (the test project references it).", path);
    }
}
