using System.Diagnostics;

namespace Testing;

/// <summary>
/// A private RabbitMQ node started from Debian's <c>rabbitmq-server</c> in a temporary folder,
/// listening on free loopback ports (AMQP, distribution and its own epmd), so parallel test runs
/// never share a broker. Stop/Start keep the data folder and the port, for "broker restarted" tests.
/// </summary>
public sealed class RabbitMqNode : IAsyncDisposable
{
    private const string ServerScript = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private const string CtlScript = "/usr/lib/rabbitmq/bin/rabbitmqctl";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly Dictionary<string, string> _environment;
    private readonly string _pidFile;
    private readonly string _serverLog;
    private readonly ProcessDeathWatch _deathWatch;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private Process? _server;
    private bool _disposed;

    private RabbitMqNode(string folder, string nodeName, int port, int distributionPort, int epmdPort)
    {
        Folder = folder;
        NodeName = nodeName;
        Port = port;
        _pidFile = Path.Combine(folder, "rabbit.pid");
        _serverLog = Path.Combine(folder, "log", "console.log");
        _environment = new Dictionary<string, string>
        {
            ["HOME"] = Path.Combine(folder, "home"),
            ["RABBITMQ_NODENAME"] = nodeName,
            ["RABBITMQ_NODE_IP_ADDRESS"] = Host,
            ["RABBITMQ_NODE_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RABBITMQ_DIST_PORT"] = distributionPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ERL_EPMD_ADDRESS"] = Host,
            ["ERL_EPMD_PORT"] = epmdPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(folder, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(folder, "log"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(folder, "enabled_plugins"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(folder, "rabbitmq"),
            // The system-wide rabbitmq-env.conf must not leak into a private node.
            ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(folder, "rabbitmq-env.conf"),
            ["RABBITMQ_PID_FILE"] = _pidFile,
            // The distribution listeners (node and CLI) bind to loopback only, like AMQP and epmd.
            ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
            ["RABBITMQ_CTL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
        };
        _deathWatch = new ProcessDeathWatch(
            $"[ -f {ExternalCommand.Quote(_pidFile)} ] && kill -9 $(cat {ExternalCommand.Quote(_pidFile)}); " +
            $"epmd -kill; rm -rf {ExternalCommand.Quote(folder)}",
            _environment);
    }

    public string Host => "127.0.0.1";
    public int Port { get; }
    public string UserName => "guest";
    public string Password => "guest";
    public string NodeName { get; }
    public string Folder { get; }

    /// <summary>amqp://guest:guest@127.0.0.1:port/ — the value of <c>ConnectionStrings:RabbitMq</c>.</summary>
    public Uri AmqpUri => new($"amqp://{UserName}:{Password}@{Host}:{Port}/");

    public string ConnectionString => AmqpUri.ToString();

    /// <summary>Wall time of the last start, from launching the server to <c>await_startup</c> returning.</summary>
    public TimeSpan StartupTime { get; private set; }

    public bool IsRunning => _server is { HasExited: false };

    /// <summary>Creates the folder, starts the node and waits until it accepts work.</summary>
    public static async Task<RabbitMqNode> StartNewAsync(CancellationToken cancellationToken = default)
    {
        if (!File.Exists(ServerScript) || !File.Exists(CtlScript))
        {
            throw new MissingDependencyException("RabbitMQ (rabbitmq-server)", "rabbitmq-server");
        }
        if (!File.Exists("/usr/bin/epmd") && !File.Exists("/usr/lib/erlang/bin/epmd"))
        {
            throw new MissingDependencyException("Erlang's epmd", "erlang-base");
        }

        var suffix = Guid.NewGuid().ToString("N")[..10];
        var folder = Path.Combine(Path.GetTempPath(), $"wsis-rabbitmq-{suffix}");
        Directory.CreateDirectory(Path.Combine(folder, "home"));
        Directory.CreateDirectory(Path.Combine(folder, "mnesia"));
        Directory.CreateDirectory(Path.Combine(folder, "log"));
        await File.WriteAllTextAsync(Path.Combine(folder, "enabled_plugins"), "[].\n", cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(folder, "rabbitmq-env.conf"), string.Empty, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(folder, "rabbitmq.conf"),
            """
            # guest may connect because the node listens on loopback only.
            log.console = true
            log.console.level = warning
            log.file.level = info
            # Several nodes and services share a small test machine.
            vm_memory_high_watermark.relative = 0.2
            disk_free_limit.absolute = 50MB
            """, cancellationToken);

        var node = new RabbitMqNode(folder, $"rabbit-test-{suffix}@localhost", FreePort.Next(), FreePort.Next(), FreePort.Next());
        try
        {
            await node.StartAsync(cancellationToken);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the node (again), on the same port and data folder.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (IsRunning)
            {
                return;
            }
            var clock = Stopwatch.StartNew();
            // epmd of our own port, so parallel runs never share one; starting it twice is harmless.
            // Relaxed: so that `epmd -kill` works even while a killed node is still listed.
            var epmd = await ExternalCommand.RunAsync("/bin/sh", ["-c", "epmd -daemon -relaxed_command_check </dev/null >/dev/null 2>&1"], _environment, cancellationToken: cancellationToken);
            if (!epmd.Succeeded)
            {
                throw new InvalidOperationException($"epmd did not start: {epmd}");
            }
            File.Delete(_pidFile);
            _server = ExternalCommand.StartDetached($"exec {ServerScript}", _environment, _serverLog, newSession: false);
            await WaitUntilStartedAsync(cancellationToken);
            StartupTime = clock.Elapsed;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private async Task WaitUntilStartedAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        // Polling the AMQP port is cheap; each rabbitmqctl call boots an Erlang VM, which costs
        // more CPU than a waiting test machine can spare. The listener opens at the end of boot.
        while (!FreePort.IsListening(Port))
        {
            if (_server!.HasExited)
            {
                throw new InvalidOperationException($"RabbitMQ node {NodeName} exited during start-up: {Tail(_serverLog)}");
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"RabbitMQ node {NodeName} did not open its port within {StartTimeout.TotalSeconds} s: {Tail(_serverLog)}");
            }
            await Task.Delay(100, cancellationToken);
        }
        var result = await RunCtlCoreAsync(["await_startup", "--timeout", "60"], cancellationToken);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"RabbitMQ node {NodeName} did not finish start-up: {result} {Tail(_serverLog)}");
        }
    }

    /// <summary>Stops the node gracefully (<c>rabbitmqctl shutdown</c>); data and port are kept for <see cref="StartAsync"/>.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            if (!IsRunning)
            {
                return;
            }
            var result = await RunCtlCoreAsync(["shutdown", "--timeout", "60"], cancellationToken);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"rabbitmqctl shutdown failed: {result}");
            }
            await WaitForServerExitAsync(cancellationToken);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Kills the node with SIGKILL, as a crash would.</summary>
    public async Task KillAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            KillServer();
            await WaitForServerExitAsync(cancellationToken);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Creates a virtual host (a unique one when no name is given) that guest may use, and returns
    /// its connection string: tests sharing the node then never see each other's exchanges and queues.
    /// </summary>
    public async Task<string> CreateVirtualHostAsync(string? name = null, CancellationToken cancellationToken = default)
    {
        name ??= $"test-{Guid.NewGuid():N}";
        await RunCtlAsync(["add_vhost", name], cancellationToken);
        await RunCtlAsync(["set_permissions", "-p", name, UserName, ".*", ".*", ".*"], cancellationToken);
        return $"amqp://{UserName}:{Password}@{Host}:{Port}/{Uri.EscapeDataString(name)}";
    }

    /// <summary>Runs <c>rabbitmqctl -n node args</c> against this node and returns its standard output.</summary>
    public async Task<string> RunCtlAsync(IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        var result = await RunCtlCoreAsync(arguments, cancellationToken);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', arguments)} failed: {result}");
        }
        return result.Output;
    }

    private Task<ExternalCommand.Result> RunCtlCoreAsync(IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        ExternalCommand.RunAsync(CtlScript, ["-n", NodeName, .. arguments], _environment, TimeSpan.FromSeconds(90), cancellationToken);

    private void KillServer()
    {
        if (File.Exists(_pidFile) && int.TryParse(File.ReadAllText(_pidFile).Trim(), out var pid))
        {
            try
            {
                using var beam = Process.GetProcessById(pid);
                beam.Kill();
            }
            catch (ArgumentException)
            {
                // Not running any more.
            }
            catch (InvalidOperationException)
            {
            }
        }
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
        }
    }

    private async Task WaitForServerExitAsync(CancellationToken cancellationToken)
    {
        if (_server is null)
        {
            return;
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        await _server.WaitForExitAsync(timeout.Token);
        _server.Dispose();
        _server = null;
        File.Delete(_pidFile);
    }

    private static string Tail(string file)
    {
        try
        {
            var lines = File.ReadAllLines(file);
            return string.Join('\n', lines.TakeLast(15));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    /// <summary>Kills the node and its epmd and deletes the folder: a test node holds nothing worth a graceful stop.</summary>
    public async ValueTask DisposeAsync()
    {
        await _lifecycle.WaitAsync();
        try
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            KillServer();
            try
            {
                await WaitForServerExitAsync(CancellationToken.None);
            }
            catch (OperationCanceledException)
            {
            }
            await ExternalCommand.RunAsync("/bin/sh", ["-c", "epmd -kill >/dev/null 2>&1 || true"], _environment, TimeSpan.FromSeconds(10));
            try
            {
                Directory.Delete(Folder, recursive: true);
            }
            catch (IOException)
            {
            }
            // Only now: had this process died during the cleanup above, the sidecar would have finished it.
            _deathWatch.Dispose();
        }
        finally
        {
            _lifecycle.Release();
        }
    }
}
