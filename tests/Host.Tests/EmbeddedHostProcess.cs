using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Testing;

namespace Host.Tests;

/// <summary>The real embedded host (<c>host/</c>'s build output) started as its own process in a
/// temporary working directory, on free loopback ports, in the Development environment as
/// <c>dotnet run</c> starts it.</summary>
internal sealed class EmbeddedHostProcess : IAsyncDisposable
{
    private readonly DeployableProcess _process;

    private EmbeddedHostProcess(DeployableProcess process, string workingDirectory, int webPort, int grpcPort)
    {
        _process = process;
        WorkingDirectory = workingDirectory;
        Web = new Uri($"http://127.0.0.1:{webPort}");
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
    }

    public string WorkingDirectory { get; }
    public Uri Web { get; }
    public GrpcChannel Channel { get; }
    public DeployableProcess Process => _process;

    public static async Task<EmbeddedHostProcess> StartAsync(string? workingDirectory = null, IReadOnlyDictionary<string, string>? settings = null, params string[] arguments)
    {
        workingDirectory ??= Directory.CreateTempSubdirectory("wsis-host-").FullName;
        int webPort = FreePort.Next(), grpcPort = FreePort.Next();
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Kestrel__Endpoints__Web__Url"] = $"http://127.0.0.1:{webPort}",
            ["Kestrel__Endpoints__Grpc__Url"] = $"http://127.0.0.1:{grpcPort}",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var process = DeployableProcess.Start("host", BuildOutput.Dll("host", "Wsis.Host"), workingDirectory, environment, arguments);
        var host = new EmbeddedHostProcess(process, workingDirectory, webPort, grpcPort);
        try
        {
            await process.WaitUntilHttpOkAsync(new Uri(host.Web, "/healthz").ToString(), TimeSpan.FromSeconds(90));
            await process.WaitUntilListeningAsync(grpcPort, TimeSpan.FromSeconds(10));
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    /// <summary>Waits until the demonstration-data step has said what it did (created, skipped, not needed, failed).</summary>
    public Task WaitForDemoDataStepAsync() =>
        _process.WaitForOutputAsync("Demonstration data ", TimeSpan.FromSeconds(90));

    public async Task<string> DevelopmentTokenAsync(object request)
    {
        using var http = new HttpClient { BaseAddress = Web };
        using var response = await http.PostAsJsonAsync("/dev/token", request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /dev/token: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("token").GetString()!;
    }

    public static Metadata Bearer(string token) => new() { { "authorization", "Bearer " + token } };

    public Task StopAsync() => _process.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _process.DisposeAsync();
    }
}
