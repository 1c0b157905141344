using System.Net;
using System.Text.RegularExpressions;
using Wsis.Teams.V1;

namespace Host.Tests;

/// <summary>
/// The embedded host's demonstration data as a first-time reader meets it on the public pages, with
/// the real services behind the gateway: teams with designation histories, the coordinators'
/// meeting's election and its tie, the inventory, a national report, a submitted report, consultations.
/// </summary>
public sealed class DemonstrationCycleTests
{
    [Fact]
    public async Task A_first_run_shows_a_whole_cycle_on_the_public_pages()
    {
        await using var host = await EmbeddedHostProcess.StartAsync();
        await host.WaitForDemoDataStepAsync();
        Assert.Contains("Demonstration data created", host.Process.Output());
        using var http = new HttpClient { BaseAddress = host.Web };
        async Task<string> Page(string path)
        {
            using var response = await http.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
            return WebUtility.HtmlDecode(body);
        }

        // C1's coordinator is not one of its members: /teams names it all the same.
        var teamsPage = await Page("/teams");
        Assert.Contains(">United Nations Development Programme</a>", teamsPage);
        var teams = (await new Wsis.Teams.V1.Teams.TeamsClient(host.Channel).ListTeamsAsync(new ListTeamsRequest())).Teams;
        var c1 = teams.Single(t => t.ActionLineCode == "C1");
        var c1Page = await Page("/teams/" + c1.Id);
        Assert.Contains("Recommended by Second demonstration stakeholder meeting", c1Page);
        Assert.Contains("Designated by First demonstration decision of the UN Secretary-General (C1)", c1Page);
        Assert.Single(Regex.Matches(c1Page, "<td>In force</td>"));

        var meetingsPage = await Page("/coordinators-meetings");
        var meetingPath = Regex.Match(meetingsPage, "href=\"(/coordinators-meetings/[^\"]+)\"").Groups[1].Value;
        var meetingPage = await Page(meetingPath);
        Assert.Contains("<td>ITU</td><td>CHF 120,000.00</td>", meetingPage);
        Assert.Contains("<td>UNESCO</td><td>CHF 80,000.00</td>", meetingPage);
        Assert.Contains("Tie reported for Vice-Chair: International Telecommunication Union, United Nations Development Programme.", meetingPage);
        Assert.Matches("<dt>Chair</dt><dd>\\s*<a href=\"/stakeholders/[^\"]+\">United Nations Educational, Scientific and Cultural Organization</a>", meetingPage);
        Assert.Contains("url, country_codes", meetingPage);

        Assert.Contains("4 entries", await Page("/inventory"));
        var inventoryC2 = await Page("/inventory?line=C2");
        Assert.Contains("Community networks in rural Kenya (demonstration)", inventoryC2);
        // Each entry has its page (Reporting's GetInventoryEntry), which names the team's contribution it came from.
        var entryPath = Regex.Match(inventoryC2, "href=\"(/inventory/[0-9a-f-]{36})\">Community networks in rural Kenya").Groups[1].Value;
        Assert.NotEmpty(entryPath);
        var entryPage = await Page(entryPath);
        Assert.Contains("<h1>Community networks in rural Kenya (demonstration)</h1>", entryPage);
        Assert.Matches("<a href=\"/teams/[^\"]+#contributions\">Contribution of team C2 — [^<]+ to the \\d{4} stocktaking</a>", entryPage);
        Assert.Contains("Schools online", await Page("/national-reports"));

        var reports = await Page("/reports");
        var reportPath = Regex.Match(reports, "href=\"(/reports/[0-9a-f-]{36})\"").Groups[1].Value;
        Assert.NotEmpty(reportPath);
        Assert.Contains("Submitted", await Page(reportPath));
        Assert.Contains("<entry>", await Page("/reports.atom"));

        // Full-text search (SQLite FTS5 in the embedded mode) over the published responses.
        var found = await Page("/search?q=spectrum+licences");
        Assert.Contains("Licence-exempt spectrum and small-operator licences lowered costs in rural areas.", found);
        Assert.DoesNotContain("Open interconnection", found);
        Assert.Contains("Open interconnection at local exchange points", await Page("/search?q=exchange&country=BR&category=AcademicAndTechnical"));
        Assert.Contains("No published response contains all these words.", await Page("/search?q=exchange&country=KE"));

        var consultations = await Page("/consultations");
        Assert.Contains("Meaningful connectivity (demonstration)", consultations);
        Assert.Contains("Cross-border data flows (demonstration)", consultations);
        Assert.Matches("until the end of \\d{1,2} \\w+ \\d{4}, Geneva time \\(CES?T\\)", consultations);
    }
}

/// <summary>The same pages in Debian's chromium, in French (chosen by the browser's Accept-Language), each
/// checked by axe-core for WCAG 2.1 A and AA, with the real services behind the gateway.</summary>
public sealed class DemonstrationPagesInABrowserTests
{
    [Fact]
    public async Task Every_page_of_the_demonstration_reads_in_french_with_no_wcag_violation()
    {
        const string chromium = "/usr/bin/chromium";
        Assert.True(File.Exists(chromium), "chromium missing: run scripts/install-test-deps.sh");
        await using var host = await EmbeddedHostProcess.StartAsync();
        await host.WaitForDemoDataStepAsync();
        using var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = chromium, Headless = true, Args = ["--no-sandbox"] });
        var context = await browser.NewContextAsync(new() { BaseURL = host.Web.ToString(), Locale = "fr-FR", TimezoneId = "Asia/Tokyo" });
        var page = await context.NewPageAsync();

        var paths = new List<string> { "/", "/teams", "/action-lines", "/coordinators-meetings", "/inventory", "/national-reports", "/reports", "/consultations" };
        // The pages reached from those lists, by their links as a reader would.
        foreach (var (list, prefix) in new[] { ("/inventory", "/inventory/"), ("/teams", "/teams/"), ("/coordinators-meetings", "/coordinators-meetings/"), ("/reports", "/reports/"), ("/consultations", "/consultations/") })
        {
            await page.GotoAsync(list);
            var hrefs = await page.EvaluateAsync<string[]>($"() => [...document.querySelectorAll('main a[href^=\"{prefix}\"]')].map(a => a.getAttribute('href'))");
            Assert.NotEmpty(hrefs);
            paths.AddRange(hrefs.Distinct().Take(3));
        }

        var problems = new List<string>();
        foreach (var path in paths.Distinct())
        {
            var response = await page.GotoAsync(path);
            Assert.True(response!.Ok, $"{path}: {response.Status}");
            Assert.Equal("fr", await page.Locator("html").GetAttributeAsync("lang"));
            var result = await Deque.AxeCore.Playwright.PageExtensions.RunAxe(page, new Deque.AxeCore.Commons.AxeRunOptions
            {
                RunOnly = new Deque.AxeCore.Commons.RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
                Iframes = false,
            }).WaitAsync(TimeSpan.FromSeconds(60));
            problems.AddRange(result.Violations.SelectMany(v => v.Nodes.Select(n => $"{path}: {v.Id} ({v.Help}) at {n.Html}")));
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        await page.GotoAsync("/consultations");
        Assert.Matches("jusqu’à la fin du .+ heure de Genève \\((HNEC|HAEC)\\)", await page.Locator(".deadline").First.InnerTextAsync());
        await page.GotoAsync("/teams");
        Assert.Equal("Équipes multipartites", await page.Locator("h1").InnerTextAsync());
    }
}
