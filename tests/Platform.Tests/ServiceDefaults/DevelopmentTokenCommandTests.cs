using System.Diagnostics;
using System.Text.Json;
using Platform.ServiceDefaults;
using Xunit;

namespace Platform.Tests.ServiceDefaults;

/// <summary>tools/DevToken, run as a developer would: its token is accepted by a service with the same settings.</summary>
public sealed class DevelopmentTokenCommandTests
{
    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string settingsFile, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(CommandPath());
        start.ArgumentList.Add("--settings");
        start.ArgumentList.Add(settingsFile);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await output).Trim(), await error);
    }

    // The tool runs from its own output folder (its dependencies resolve there), built in the
    // same configuration as this test assembly: <repo>/tools/DevToken/bin/<Configuration>/<tfm>/.
    private static string CommandPath()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var targetFramework = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        var repository = testOutput;
        while (repository is not null && !File.Exists(Path.Combine(repository.FullName, "Microservices.sln")))
        {
            repository = repository.Parent;
        }

        var path = Path.Combine(repository!.FullName, "tools", "DevToken", "bin", configuration, targetFramework, "DevToken.dll");
        Assert.True(File.Exists(path), $"{path} is missing: build tools/DevToken first.");
        return path;
    }

    private static string WriteSettings(Dictionary<string, string?> configuration, bool developmentTokens)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("devtoken-").FullName, "appsettings.json");
        var auth = new Dictionary<string, object?>
        {
            ["Issuer"] = configuration["Auth:Issuer"],
            ["Audience"] = configuration["Auth:Audience"],
            ["SigningKeys"] = new[] { configuration["Auth:SigningKeys:0"] },
            ["DevelopmentTokens"] = developmentTokens,
        };
        File.WriteAllText(file, JsonSerializer.Serialize(new { Auth = auth }));
        return file;
    }

    [Fact]
    public async Task The_command_mints_a_token_the_service_accepts()
    {
        var configuration = TestTokens.Configuration(TestTokens.NewSecret());
        var settings = WriteSettings(configuration, developmentTokens: true);
        await using var host = await TestWebHost.StartAsync(configuration, configure: b => b.AddBearerAuthentication());

        var (exitCode, token, _) = await RunAsync(settings, "--sub", "coord-1", "--role", "coordinator", "--org", "stk-9");

        Assert.Equal(0, exitCode);
        var me = await host.WhoAmIAsync(token);
        Assert.True(me.Authenticated);
        Assert.Equal(["coordinator"], me.Roles);
        Assert.Equal("stk-9", me.Org);
    }

    [Fact]
    public async Task The_command_refuses_a_configuration_without_the_flag()
    {
        var settings = WriteSettings(TestTokens.Configuration(TestTokens.NewSecret()), developmentTokens: false);

        var (exitCode, output, error) = await RunAsync(settings, "--sub", "x", "--role", "secretariat");

        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        Assert.Contains("Auth:DevelopmentTokens is not true", error);
    }
}
