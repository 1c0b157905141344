using Microsoft.Playwright;
using Xunit;

namespace Gateway.Tests;

/// <summary>Debian's chromium (never a downloaded browser) driven by Playwright against the real
/// gateway and a backend: the pages as a reader sees them, with screenshots saved under
/// artifacts/screenshots at the repository root.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    public GrpcTestBackend Backend { get; private set; } = null!;
    public GatewayHost Gateway { get; private set; } = null!;
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public string Screenshots { get; } = ScreenshotFolder();

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), "chromium missing: run scripts/install-test-deps.sh");
        Backend = await GrpcTestBackend.StartAsync("b1");
        Gateway = await GatewayHost.StartAsync(GatewayHost.Settings("RoundRobin", [("b1", Backend.Address)]));
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            // Tests run as root in CI containers, where chromium's sandbox cannot start.
            Args = ["--no-sandbox"],
        });
    }

    public async Task<IPage> NewPageAsync(string locale = "en-GB")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Gateway.WebAddress.ToString(),
            Locale = locale,
            TimezoneId = "America/New_York",
            ViewportSize = new ViewportSize { Width = 1200, Height = 900 },
        });
        return await context.NewPageAsync();
    }

    public Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });

    private static string ScreenshotFolder()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Microservices.sln")))
        {
            dir = dir.Parent;
        }
        var folder = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        return folder;
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await Gateway.DisposeAsync();
        await Backend.DisposeAsync();
    }
}

/// <summary>Browser tests share the machine's few cores: one class at a time, so a page's load is never starved by another class's axe run.</summary>
[CollectionDefinition("Browser", DisableParallelization = true)]
public sealed class BrowserCollection;

[Collection("Browser")]
public sealed class BrowserTests(BrowserFixture f) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_consultation_page_shows_a_hostile_response_as_text_and_runs_none_of_it()
    {
        var page = await f.NewPageAsync();
        var dialogs = 0;
        page.Dialog += (_, d) => { dialogs++; _ = d.DismissAsync(); };

        await page.GotoAsync("/consultations");
        Assert.Equal("Consultations", await page.Locator("h1").InnerTextAsync());
        Assert.Equal("until the end of 28 February 2027, Geneva time (CET)", await page.Locator(".deadline").First.InnerTextAsync());
        // The script shows the same deadline in the reader's zone (New York here: 18:00 on 28 February).
        var local = page.Locator(".deadline-local").First;
        await local.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 10_000 });
        var localText = await local.InnerTextAsync();
        Assert.Contains("in your time: until February 28, 2027", localText);
        Assert.Contains("6:00", localText);
        Assert.Contains("(America/New_York)", localText);
        await f.ScreenshotAsync(page, "consultations");

        await page.GetByRole(AriaRole.Link, new() { Name = "Public policy on Internet connectivity" }).ClickAsync();
        await page.WaitForURLAsync("**/consultations/c-1");
        Assert.Equal(PublicDataEndpoints.HostileText, await page.Locator("pre.response-text").InnerTextAsync());
        Assert.Equal(0, await page.Locator("article.response b").CountAsync());
        Assert.Equal(0, dialogs);
        await f.ScreenshotAsync(page, "consultation");
    }

    [Fact]
    public async Task The_form_submits_a_response_and_shows_the_receipt()
    {
        var page = await f.NewPageAsync();
        var file = Path.Combine(Path.GetTempPath(), $"gw-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(file, "annex");

        await page.GotoAsync("/consultations/c-1/respond");
        await page.GetByLabel("Name").FillAsync("Ada");
        await page.GetByLabel("Category").SelectOptionAsync("AcademicAndTechnical");
        await page.GetByLabel("Your response").FillAsync("Connectivity needs public investment.");
        await page.GetByLabel("Attachments").SetInputFilesAsync(file);
        await page.GetByRole(AriaRole.Button, new() { Name = "Submit" }).ClickAsync();

        Assert.Equal("c-1-Ada-1", await page.GetByTestId("tracking-number").InnerTextAsync());
        await f.ScreenshotAsync(page, "response-submitted");
        File.Delete(file);
    }

    [Fact]
    public async Task Response_teams_inventory_and_report_pages_render()
    {
        var page = await f.NewPageAsync();

        await page.GotoAsync("/responses/r-1");
        Assert.Equal(new string('a', 64), await page.GetByTestId("sha256").InnerTextAsync());
        await f.ScreenshotAsync(page, "response");

        await page.GotoAsync("/teams");
        Assert.Contains("C1 annual meeting", await page.ContentAsync());
        await f.ScreenshotAsync(page, "teams");

        await page.GotoAsync("/inventory");
        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search" }).FillAsync("rural");
        var pending = new System.Collections.Concurrent.ConcurrentDictionary<string, DateTime>();
        page.Request += (_, r) => pending[r.Url] = DateTime.UtcNow;
        page.RequestFinished += (_, r) => pending.TryRemove(r.Url, out DateTime _);
        page.RequestFailed += (_, r) => pending[r.Url + " FAILED " + r.Failure] = DateTime.UtcNow;
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        try
        {
            await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("text=rural"), new PageWaitForURLOptions { Timeout = 15_000 });
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"at {page.Url}; pending: {string.Join(" | ", pending.Keys)}");
        }
        Assert.Equal(1, await page.Locator("tbody tr").CountAsync());
        await f.ScreenshotAsync(page, "inventory");

        await page.GotoAsync("/reports");
        await page.GetByRole(AriaRole.Link, new() { Name = "WSIS implementation 2026" }).ClickAsync();
        var frame = page.FrameLocator("iframe.report");
        Assert.Equal("WSIS implementation 2026", await frame.Locator("h1").InnerTextAsync());
        await f.ScreenshotAsync(page, "report");
    }

    [Fact]
    public async Task French_readers_get_french_pages_and_the_choice_sticks()
    {
        var page = await f.NewPageAsync();

        await page.GotoAsync("/consultations");
        await page.GetByRole(AriaRole.Link, new() { Name = "Français" }).ClickAsync();
        await page.WaitForURLAsync("**/consultations");
        Assert.Equal("Consultations publiques", await page.Locator("h1").InnerTextAsync());
        await page.GotoAsync("/teams");
        Assert.Equal("Équipes multipartites", await page.Locator("h1").InnerTextAsync());
        Assert.Equal("fr", await page.Locator("html").GetAttributeAsync("lang"));
        await f.ScreenshotAsync(page, "teams-fr");
    }

    [Fact]
    public async Task Keyboard_users_can_skip_to_the_content()
    {
        var page = await f.NewPageAsync();
        await page.GotoAsync("/consultations");

        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("document.activeElement.textContent"));
        await page.Keyboard.PressAsync("Enter");
        Assert.Equal("main", await page.EvaluateAsync<string>("document.activeElement.id"));
    }
}
