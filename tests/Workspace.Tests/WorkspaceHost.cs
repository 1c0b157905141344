using Grpc.Net.Client;
using Microsoft.Playwright;
using Testing;

namespace Workspace.Tests;

/// <summary>
/// The real embedded host (<c>host/</c>'s build output) as its own process in the Development
/// environment, with its demonstration data and its development identity provider (OpenIddict), on
/// free loopback ports; Debian's chromium driven by Playwright signs in through that provider.
/// </summary>
public sealed class WorkspaceHost : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    private DeployableProcess _process = null!;

    public Uri Web { get; private set; } = null!;
    public GrpcChannel Channel { get; private set; } = null!;
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public string Screenshots { get; } = Path.Combine(BuildOutput.RepositoryRoot(), "artifacts", "screenshots", "workspace");

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), "chromium missing: run scripts/install-test-deps.sh");
        Directory.CreateDirectory(Screenshots);
        (_process, Web, Channel) = await StartAsync("Development");
        await _process.WaitForOutputAsync("Demonstration data ", TimeSpan.FromSeconds(90));
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            // Tests run as root in CI, where chromium's sandbox cannot start.
            Args = ["--no-sandbox"],
        });
    }

    /// <summary>Starts a host process in <paramref name="environment"/>; waits until it serves.</summary>
    public static async Task<(DeployableProcess Process, Uri Web, GrpcChannel Channel)> StartAsync(
        string environment, IReadOnlyDictionary<string, string>? settings = null, bool waitUntilServing = true)
    {
        var workingDirectory = Directory.CreateTempSubdirectory("wsis-workspace-").FullName;
        int webPort = FreePort.Next(), grpcPort = FreePort.Next();
        var variables = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = environment,
            ["Kestrel__Endpoints__Web__Url"] = $"http://127.0.0.1:{webPort}",
            ["Kestrel__Endpoints__Grpc__Url"] = $"http://127.0.0.1:{grpcPort}",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            variables[key] = value;
        }

        var process = DeployableProcess.Start("host", BuildOutput.Dll("host", "Wsis.Host"), workingDirectory, variables);
        var web = new Uri($"http://127.0.0.1:{webPort}");
        if (waitUntilServing)
        {
            try
            {
                await process.WaitUntilHttpOkAsync(new Uri(web, "/healthz").ToString(), TimeSpan.FromSeconds(90));
                await process.WaitUntilListeningAsync(grpcPort, TimeSpan.FromSeconds(10));
            }
            catch
            {
                await process.DisposeAsync();
                throw;
            }
        }

        return (process, web, GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}"));
    }

    public string Output() => _process.Output();

    /// <summary>A fresh browser (no cookies: neither the gateway's session nor the provider's).</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Web.ToString(),
            Locale = "en-GB",
            ViewportSize = new ViewportSize { Width = 1200, Height = 900 },
        });
        return await context.NewPageAsync();
    }

    /// <summary>Goes to the workspace and signs in as <paramref name="person"/> on the development provider's page.</summary>
    public static async Task SignInAsync(IPage page, string person, string path = "/workspace")
    {
        await page.GotoAsync(path);
        Assert.Contains("/dev/identity/login", page.Url);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in as " + person }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == path);
    }

    public Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        Playwright?.Dispose();
        Channel?.Dispose();
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }
}

/// <summary>One embedded host and one browser for every workspace test: on two cores, a host per class
/// would start six processes at once; the tests take turns and each creates what it needs.</summary>
[CollectionDefinition(Name)]
public sealed class WorkspaceCollection : ICollectionFixture<WorkspaceHost>
{
    public const string Name = "workspace";
}
