using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Testing;

/// <summary>
/// A private PostgreSQL cluster created with Debian's <c>initdb</c> in a temporary folder and run
/// with <c>pg_ctl</c> on a free loopback port (as the <c>postgres</c> user when the tests run as
/// root, since initdb refuses root). Databases are created on demand; Stop/Start/Restart/Kill
/// keep the data folder and the port, for "database restarted" tests.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private const string ServerUser = "postgres";
    private static readonly bool RunsAsRoot = Environment.UserName == "root";

    private readonly string _binaries;
    private readonly string _dataFolder;
    private readonly string _logFile;
    private readonly ProcessDeathWatch _deathWatch;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private bool _running;
    private bool _disposed;

    private PostgresCluster(string binaries, string folder, int port, string password)
    {
        _binaries = binaries;
        Folder = folder;
        Port = port;
        Password = password;
        _dataFolder = Path.Combine(folder, "data");
        _logFile = Path.Combine(folder, "server.log");
        _deathWatch = new ProcessDeathWatch(
            $"{AsServerUser(Path.Combine(binaries, "pg_ctl"))} -D {ExternalCommand.Quote(_dataFolder)} -m immediate -w stop; " +
            $"rm -rf {ExternalCommand.Quote(folder)}");
    }

    public string Host => "127.0.0.1";
    public int Port { get; }
    public string UserName => "postgres";
    public string Password { get; }
    public string Folder { get; }

    /// <summary>Wall time of the last start (for the first start: initdb included).</summary>
    public TimeSpan StartupTime { get; private set; }

    public bool IsRunning => _running;

    public string ConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder
        {
            Host = Host,
            Port = Port,
            Username = UserName,
            Password = Password,
            Database = database,
            IncludeErrorDetail = true,
        }.ConnectionString;

    /// <summary>Creates the cluster (initdb) and starts it.</summary>
    public static async Task<PostgresCluster> StartNewAsync(CancellationToken cancellationToken = default)
    {
        var binaries = FindBinaries();
        if (RunsAsRoot && !File.Exists("/usr/sbin/runuser") && !File.Exists("/usr/bin/runuser"))
        {
            throw new MissingDependencyException("runuser", "util-linux");
        }

        var clock = Stopwatch.StartNew();
        var folder = Path.Combine(Path.GetTempPath(), $"wsis-postgres-{Guid.NewGuid().ToString("N")[..10]}");
        Directory.CreateDirectory(folder);
        var password = Guid.NewGuid().ToString("N");
        var passwordFile = Path.Combine(folder, "password");
        await File.WriteAllTextAsync(passwordFile, password + "\n", cancellationToken);
        if (RunsAsRoot)
        {
            await RunCheckedAsync("chown", ["-R", $"{ServerUser}:", folder], cancellationToken);
        }

        var cluster = new PostgresCluster(binaries, folder, FreePort.Next(), password);
        try
        {
            await cluster.RunToolAsync("initdb",
                ["-D", cluster._dataFolder, "-U", "postgres", $"--pwfile={passwordFile}", "--auth-host=scram-sha-256",
                 "--auth-local=trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"], cancellationToken);
            File.Delete(passwordFile);
            await cluster.StartAsync(cancellationToken);
            cluster.StartupTime = clock.Elapsed;
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private static string FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        var candidates = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(d => (Folder: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .Where(c => File.Exists(Path.Combine(c.Folder, "initdb")) && File.Exists(Path.Combine(c.Folder, "pg_ctl")))
                .OrderByDescending(c => c.Version)
                .ToList()
            : [];
        return candidates.Count > 0
            ? candidates[0].Folder
            : throw new MissingDependencyException("PostgreSQL (initdb, pg_ctl)", "postgresql");
    }

    /// <summary>Starts the server (again), on the same port and data folder.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_running)
            {
                return;
            }
            var clock = Stopwatch.StartNew();
            var options = string.Join(' ',
                "-c listen_addresses=127.0.0.1",
                $"-k {Folder}",
                $"-p {Port.ToString(CultureInfo.InvariantCulture)}",
                // Test data is thrown away: durability against power loss buys nothing here.
                "-c fsync=off",
                "-c full_page_writes=off",
                // A test project's hosts each keep a pool per database they used, idle connections
                // included (Consultations.Tests, with its multi-instance tests, passed 200 on 8 December).
                "-c max_connections=500",
                "-c shared_buffers=32MB");
            await RunToolAsync("pg_ctl", ["-D", _dataFolder, "-l", _logFile, "-w", "-t", "60", "-o", options, "start"], cancellationToken);
            _running = true;
            StartupTime = clock.Elapsed;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops the server (<c>pg_ctl stop -m fast</c>: sessions are disconnected, data is kept).</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => StopCoreAsync("fast", cancellationToken);

    /// <summary>Stops the server without a checkpoint, as a crash would (<c>-m immediate</c>); recovery runs at the next start.</summary>
    public Task KillAsync(CancellationToken cancellationToken = default) => StopCoreAsync("immediate", cancellationToken);

    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync(cancellationToken);
        await StartAsync(cancellationToken);
    }

    private async Task StopCoreAsync(string mode, CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            if (!_running)
            {
                return;
            }
            await RunToolAsync("pg_ctl", ["-D", _dataFolder, "-m", mode, "-w", "-t", "60", "stop"], cancellationToken);
            _running = false;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Creates a database (a unique name when none is given) and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string? name = null, CancellationToken cancellationToken = default)
    {
        name ??= $"test_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"CREATE DATABASE \"{name.Replace("\"", "\"\"")}\"";
        await command.ExecuteNonQueryAsync(cancellationToken);
        return ConnectionString(name);
    }

    private async Task RunToolAsync(string tool, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var executable = Path.Combine(_binaries, tool);
        var result = RunsAsRoot
            ? await ExternalCommand.RunAsync("runuser", ["-u", ServerUser, "--", executable, .. arguments], timeout: TimeSpan.FromSeconds(90), cancellationToken: cancellationToken)
            : await ExternalCommand.RunAsync(executable, arguments, timeout: TimeSpan.FromSeconds(90), cancellationToken: cancellationToken);
        if (!result.Succeeded)
        {
            var log = File.Exists(_logFile) ? string.Join('\n', File.ReadLines(_logFile).TakeLast(10)) : string.Empty;
            throw new InvalidOperationException($"{tool} failed: {result}\n{log}");
        }
    }

    private static async Task RunCheckedAsync(string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var result = await ExternalCommand.RunAsync(fileName, arguments, cancellationToken: cancellationToken);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"{fileName} failed: {result}");
        }
    }

    private static string AsServerUser(string executable) =>
        RunsAsRoot ? $"runuser -u {ServerUser} -- {ExternalCommand.Quote(executable)}" : ExternalCommand.Quote(executable);

    /// <summary>Stops the server at once and deletes the folder: test data is not worth a checkpoint.</summary>
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
            if (_running)
            {
                try
                {
                    await RunToolAsync("pg_ctl", ["-D", _dataFolder, "-m", "immediate", "-w", "-t", "30", "stop"], CancellationToken.None);
                }
                catch (InvalidOperationException)
                {
                    // Already stopped by someone else; the folder still goes.
                }
                _running = false;
            }
            try
            {
                Directory.Delete(Folder, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
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
