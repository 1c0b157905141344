using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Xunit;

namespace Gateway.Tests;

/// <summary>The public site in Debian's chromium: every page in English and French checked by axe-core
/// (Deque.AxeCore.Playwright) for WCAG 2.1 A and AA, headings in order, the links between team,
/// coordinator, coordinators' meeting and reports followed as a reader would, and a response submitted
/// with the keyboard only.</summary>
[Collection("Browser")]
public sealed class PublicSiteBrowserTests(BrowserFixture f) : IClassFixture<BrowserFixture>
{
    public static readonly string[] Pages =
    [
        "/", "/consultations", "/consultations/c-1", "/consultations/c-1/respond", "/consultations/c-closed",
        "/consultations/c-closed/results", "/responses/r-1", "/teams", "/teams/t-c1", "/teams/t-c2", "/stakeholders/s-itu",
        "/action-lines", "/coordinators-meetings", "/coordinators-meetings/cm-1", "/inventory", "/inventory/e-1", "/inventory/e-9", "/national-reports",
        "/reports", "/reports/rep-1", "/search?consultation=c-1&q=connected",
    ];

    [Theory]
    [InlineData("en-GB", "en")]
    [InlineData("fr-FR", "fr")]
    public async Task Every_page_passes_axe_for_wcag_21_aa_with_landmarks_and_headings_in_order(string locale, string language)
    {
        // The browser's own Accept-Language chooses the language: no link, no cookie.
        var page = await f.NewPageAsync(locale);
        var problems = new List<string>();
        foreach (var path in Pages)
        {
            var response = await page.GotoAsync(path);
            Assert.True(response!.Ok, $"{path}: {response.Status}");
            await f.ScreenshotAsync(page, language + (path == "/" ? "-home" : path.Replace('/', '-')));
            Assert.Equal(language, await page.Locator("html").GetAttributeAsync("lang"));
            // The report's own HTML sits in a sandboxed frame that runs no script, so axe cannot enter it
            // (it would wait for the frame forever): the page around it is checked.
            var result = await page.RunAxe(new AxeRunOptions
            {
                RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
                Iframes = false,
            }).WaitAsync(TimeSpan.FromSeconds(60));
            problems.AddRange(result.Violations.SelectMany(v => v.Nodes.Select(n => $"{path}: {v.Id} ({v.Help}) at {n.Html}")));

            Assert.Equal(1, await page.Locator("main").CountAsync());
            Assert.Equal(1, await page.Locator("h1").CountAsync());
            var levels = await page.EvaluateAsync<int[]>("() => [...document.querySelectorAll('main h1, main h2, main h3, main h4')].map(h => +h.tagName[1])");
            for (var i = 1; i < levels.Length; i++)
            {
                if (levels[i] > levels[i - 1] + 1)
                {
                    problems.Add($"{path}: heading h{levels[i]} follows h{levels[i - 1]}");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task A_reader_follows_team_to_coordinator_to_the_meeting_that_elected_it_and_back()
    {
        var page = await f.NewPageAsync();
        await page.GotoAsync("/teams");
        await page.GetByRole(AriaRole.Link, new() { Name = "C2 — Information and communication infrastructure" }).ClickAsync();
        await page.WaitForURLAsync("**/teams/t-c2");
        // The coordinator is not a member: shown by name all the same.
        await page.GetByRole(AriaRole.Link, new() { Name = "United Nations Development Programme" }).First.ClickAsync();
        await page.WaitForURLAsync("**/stakeholders/s-undp");
        Assert.Equal("United Nations Development Programme", await page.Locator("h1").InnerTextAsync());

        await page.GotoAsync("/stakeholders/s-itu");
        await page.GetByRole(AriaRole.Link, new() { Name = "Geneva, ITU headquarters" }).ClickAsync();
        await page.WaitForURLAsync("**/coordinators-meetings/cm-1");
        Assert.Contains("Tie reported for Vice-Chair", await page.Locator("main").InnerTextAsync());
        await f.ScreenshotAsync(page, "coordinators-meeting");

        await page.GetByRole(AriaRole.Link, new() { Name = "ITU" }).First.ClickAsync();
        await page.WaitForURLAsync("**/stakeholders/s-itu");
        await page.GetByRole(AriaRole.Link, new() { Name = "C1 — The role of public governance authorities" }).First.ClickAsync();
        await page.WaitForURLAsync("**/teams/t-c1");
        Assert.Contains("Designated by UNSG decision 2026/03", await page.Locator("main").InnerTextAsync());
        await f.ScreenshotAsync(page, "team");
    }

    [Fact]
    public async Task A_reader_goes_from_the_inventory_to_an_entry_and_on_to_its_stakeholder_team_and_action_line()
    {
        var page = await f.NewPageAsync();
        await page.GotoAsync("/inventory");
        await page.GetByRole(AriaRole.Link, new() { Name = "Rural broadband" }).ClickAsync();
        await page.WaitForURLAsync("**/inventory/e-1");
        Assert.Equal("Rural broadband", await page.Locator("h1").InnerTextAsync());
        var main = await page.Locator("main").InnerTextAsync();
        Assert.Contains("Fibre to villages", main);
        Assert.Contains("KE", main);
        Assert.Contains("Ongoing", main);
        Assert.Contains("2026", main);
        Assert.Equal("https://example.org/rural", await page.GetByRole(AriaRole.Link, new() { Name = "https://example.org/rural" }).GetAttributeAsync("href"));
        await f.ScreenshotAsync(page, "inventory-entry");

        // The stakeholder by name, the action line to its row, the contribution to its team.
        await page.GetByRole(AriaRole.Link, new() { Name = "United Nations Development Programme" }).ClickAsync();
        await page.WaitForURLAsync("**/stakeholders/s-undp");
        await page.GoBackAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "C2", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/action-lines#line-C2");
        Assert.Equal(1, await page.Locator("#line-C2").CountAsync());
        await page.GoBackAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Contribution of team C2 — Information and communication infrastructure to the 2026 stocktaking" }).ClickAsync();
        await page.WaitForURLAsync("**/teams/t-c2#contributions");

        // A team's contributions list their entries, each linked to its page; in French too.
        page = await f.NewPageAsync("fr-FR");
        await page.GotoAsync("/teams/t-c1");
        await page.GetByRole(AriaRole.Link, new() { Name = "Open data portal" }).ClickAsync();
        await page.WaitForURLAsync("**/inventory/e-9");
        Assert.Equal("fr", await page.Locator("html").GetAttributeAsync("lang"));
        main = await page.Locator("main").InnerTextAsync();
        Assert.Contains("Communiquée dans", main);
        Assert.Contains("Contribution de l'équipe C1 — The role of public governance authorities au bilan 2026", main);
        Assert.Contains("ITU", main);
    }

    [Fact]
    public async Task A_response_can_be_submitted_with_the_keyboard_alone_and_focus_is_always_visible()
    {
        var page = await f.NewPageAsync();
        await page.GotoAsync("/consultations/c-1/respond");

        // From the top of the page: Tab until the name field, checking every stop shows a focus outline.
        for (var i = 0; i < 30 && await page.EvaluateAsync<string>("document.activeElement.id") != "name"; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            var outline = await page.EvaluateAsync<string>("getComputedStyle(document.activeElement).outlineStyle");
            Assert.NotEqual("none", outline);
        }
        Assert.Equal("name", await page.EvaluateAsync<string>("document.activeElement.id"));
        await page.Keyboard.TypeAsync("Grace");
        await page.Keyboard.PressAsync("Tab"); // organisation
        await page.Keyboard.TypeAsync("Navy");
        await page.Keyboard.PressAsync("Tab"); // category
        await page.Keyboard.PressAsync("Tab"); // country
        await page.Keyboard.TypeAsync("us");
        await page.Keyboard.PressAsync("Tab"); // e-mail
        await page.Keyboard.PressAsync("Tab"); // text
        Assert.Equal("text", await page.EvaluateAsync<string>("document.activeElement.id"));
        await page.Keyboard.TypeAsync("Typed without a mouse.");
        await page.Keyboard.PressAsync("Tab"); // attachments
        await page.Keyboard.PressAsync("Tab"); // submit
        Assert.Equal("Submit", await page.EvaluateAsync<string>("document.activeElement.textContent.trim()"));
        await page.Keyboard.PressAsync("Enter");

        var tracking = page.GetByTestId("tracking-number");
        await tracking.WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
        Assert.Equal("c-1-Grace-0", await tracking.InnerTextAsync());
        await f.ScreenshotAsync(page, "response-by-keyboard");
    }
}
