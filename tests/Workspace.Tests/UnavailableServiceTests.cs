using Microsoft.Playwright;
using Testing;

namespace Workspace.Tests;

/// <summary>
/// When the service a form calls cannot act (UNAVAILABLE: unreachable, restarting, busy), the form comes
/// back as the person filled it in, with the same request_id and a message to send it again, as HTTP 503
/// with Retry-After. Provoked on a host of its own whose gateway reaches Reporting at a closed port (the
/// clusters the pages call are configuration), so the shared host's services stay untouched.
/// </summary>
[Collection(WorkspaceCollection.Name)]
public sealed class UnavailableServiceTests(WorkspaceHost host)
{
    [Theory]
    [InlineData("en-GB", "Submit the report",
        "The service could not act on this just now. Your form is kept as you filled it in: send it again in a moment.")]
    [InlineData("fr-FR", "Soumettre le rapport",
        "Le service n'a pas pu donner suite pour l'instant. Votre formulaire est conservé tel que vous l'avez rempli : renvoyez-le dans un instant.")]
    public async Task A_form_whose_service_is_unreachable_comes_back_filled_in_with_503_and_a_message_to_send_it_again(
        string locale, string button, string message)
    {
        var closedPort = FreePort.Next();
        var settings = new Dictionary<string, string>
        {
            ["ReverseProxy__Clusters__reporting__Destinations__self__Address"] = $"http://127.0.0.1:{closedPort}",
            ["Host__DemoData"] = "false",
        };
        (DeployableProcess Process, Uri Web, Grpc.Net.Client.GrpcChannel Channel) started;
        try
        {
            started = await WorkspaceHost.StartAsync("Development", settings);
        }
        catch (InvalidOperationException e) when (e.Message.Contains("The model must be finalized", StringComparison.Ordinal))
        {
            // Seen once here: the embedded host's start can lose a race inside EF Core's first model build
            // (LogBackfill's query while another context builds its model) and exit; a fact about the host's
            // start, not about this page, so it gets one more start.
            started = await WorkspaceHost.StartAsync("Development", settings);
        }

        var (process, web, channel) = started;
        await using var _ = process;
        using var __ = channel;
        await using var context = await host.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = web.ToString(),
            Locale = locale,
            ViewportSize = new ViewportSize { Width = 1200, Height = 900 },
        });
        var page = await context.NewPageAsync();
        await WorkspaceHost.SignInAsync(page, "Bruno Focal Point (Switzerland)", "/workspace/national-report");
        var requestId = await page.Locator("#RequestId").InputValueAsync();
        Assert.Matches("^[0-9a-f]{32}$", requestId);
        await page.Locator("#Year").FillAsync("2026");
        await page.Locator("#Text").FillAsync("Broadband reached 92 % of households; kept when the service is away.");
        await page.Locator("#ActivityTitle").FillAsync("Rural connectivity fund");
        await page.Locator("#ActivityDescription").FillAsync("Fibre to 300 villages.");
        await page.Locator("#ActivityActionLineCodes").FillAsync("C2, C7");

        var response = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = button }).ClickAsync(),
            r => r.Request.Method == "POST");

        Assert.Equal(503, response.Status);
        Assert.Equal("5", await response.HeaderValueAsync("retry-after"));
        Assert.Equal("/workspace/national-report", new Uri(page.Url).AbsolutePath);
        Assert.Equal(message, (await page.GetByTestId("form-error").InnerTextAsync()).Trim());
        Assert.Equal("2026", await page.Locator("#Year").InputValueAsync());
        Assert.Equal("Broadband reached 92 % of households; kept when the service is away.", await page.Locator("#Text").InputValueAsync());
        Assert.Equal("Rural connectivity fund", await page.Locator("#ActivityTitle").InputValueAsync());
        Assert.Equal("Fibre to 300 villages.", await page.Locator("#ActivityDescription").InputValueAsync());
        Assert.Equal("C2, C7", await page.Locator("#ActivityActionLineCodes").InputValueAsync());
        // Sent again, it carries the key of the first send: whichever of the two reaches the service acts once.
        Assert.Equal(requestId, await page.Locator("#RequestId").InputValueAsync());
        // Nothing about the connection leaks to the person (the call never reached the service).
        Assert.DoesNotContain(closedPort.ToString(System.Globalization.CultureInfo.InvariantCulture), await page.ContentAsync());
        await AccessibilityTests.AssertNoViolationsAsync(page, $"a form kept after UNAVAILABLE ({locale})");
        await host.ScreenshotAsync(page, "service-unavailable-" + locale);
    }
}
