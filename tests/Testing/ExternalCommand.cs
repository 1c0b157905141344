using System.Diagnostics;
using System.Text;

namespace Testing;

/// <summary>Runs a short-lived command to completion and captures its output.</summary>
internal static class ExternalCommand
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public bool Succeeded => ExitCode == 0;
        public override string ToString() => $"exit {ExitCode}: {Output.Trim()} {Error.Trim()}".Trim();
    }

    public static async Task<Result> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                info.Environment[key] = value;
            }
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        process.StandardInput.Close();
        var output = new StringBuilder();
        var error = new StringBuilder();
        var readOut = Task.Run(async () => output.Append(await process.StandardOutput.ReadToEndAsync(cancellationToken)), cancellationToken);
        var readErr = Task.Run(async () => error.Append(await process.StandardError.ReadToEndAsync(cancellationToken)), cancellationToken);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new TimeoutException($"{Path.GetFileName(fileName)} {string.Join(' ', info.ArgumentList)} did not finish in time.");
        }
        // Output pipes close when the process exits unless it left a daemon holding them.
        await Task.WhenAny(Task.WhenAll(readOut, readErr), Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None));
        return new Result(process.ExitCode, output.ToString(), error.ToString());
    }

    /// <summary>
    /// Starts a process detached from this one's standard streams (they are redirected to
    /// <paramref name="logFile"/>), so a server outliving a test run never holds the runner's pipes.
    /// </summary>
    /// <remarks>The script runs in bash, not /bin/sh: Debian's sh (dash) drops environment variables
    /// whose names are not shell identifiers (<c>Logging.LogLevel</c>, <c>a.b</c>) before the
    /// script's command sees them; bash passes them on.</remarks>
    public static Process StartDetached(string script, IReadOnlyDictionary<string, string>? environment, string logFile, bool newSession)
    {
        var info = new ProcessStartInfo(newSession ? "setsid" : "/bin/bash") { UseShellExecute = false };
        if (newSession)
        {
            info.ArgumentList.Add("/bin/bash");
        }
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"exec </dev/null >>{Quote(logFile)} 2>&1; {script}");
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                info.Environment[key] = value;
            }
        }
        return Process.Start(info) ?? throw new InvalidOperationException("Could not start /bin/bash.");
    }

    public static string Quote(string value) => "'" + value.Replace("'", "'\\''") + "'";
}
