using Testing;

namespace FaultTolerance.Tests;

/// <summary>How the fixtures start servers (PostgreSQL, RabbitMQ, the deployables): detached, with their environment.</summary>
public sealed class ExternalCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("external-command-").FullName;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_detached_command_gets_every_environment_variable_including_names_that_are_not_shell_identifiers(bool newSession)
    {
        var log = Path.Combine(_folder, $"env-{newSession}.log");
        var environment = new Dictionary<string, string>
        {
            ["Logging.LogLevel.Default"] = "Debug",
            ["Plain_Name"] = "plain",
            ["With__Double__Underscores"] = "a value with spaces",
        };

        using var process = ExternalCommand.StartDetached("exec env", environment, log, newSession);
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // setsid forks when it is a process-group leader; the shell it starts may still be writing.
        var lines = await EventuallyReadAsync(log, "Logging.LogLevel.Default=");
        Assert.Contains("Logging.LogLevel.Default=Debug", lines);
        Assert.Contains("Plain_Name=plain", lines);
        Assert.Contains("With__Double__Underscores=a value with spaces", lines);
    }

    private static async Task<string[]> EventuallyReadAsync(string path, string expected)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var lines = File.Exists(path) ? await File.ReadAllLinesAsync(path) : [];
            if (lines.Any(l => l.StartsWith(expected, StringComparison.Ordinal)) || DateTime.UtcNow > until)
            {
                return lines;
            }
            await Task.Delay(50);
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
