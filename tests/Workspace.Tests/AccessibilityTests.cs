using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Wsis.Teams.V1;

namespace Workspace.Tests;

/// <summary>axe-core (Deque.AxeCore.Playwright) finds no WCAG 2.1 A or AA violation on the workspace
/// pages each role sees, nor on the development provider's login page.</summary>
[Collection(WorkspaceCollection.Name)]
public sealed class AccessibilityTests(WorkspaceHost host)
{
    [Theory]
    [InlineData("Ana Secretariat", new[] { "/workspace", "/workspace/consultations/open", "/workspace/stakeholders/register", "/workspace/teams/{team}/join", "/workspace/teams/{team}/leave", "/workspace/teams/create", "/workspace/teams/{team}/coordinator", "/workspace/group-meetings/schedule", "/workspace/coordinators-meetings/convene", "/workspace/coordinators-meetings/{meeting}", "/workspace/reports/compile" })]
    [InlineData("Bruno Focal Point (Switzerland)", new[] { "/workspace", "/workspace/consultations/open", "/workspace/national-report" })]
    [InlineData("Chen Coordinator (ITU)", new[] { "/workspace", "/workspace/teams/{team}/contribution", "/workspace/teams/{team}/join", "/workspace/coordinators-meetings/{meeting}" })]
    [InlineData("Dana Chair (UNESCO)", new[] { "/workspace", "/workspace/coordinators-meetings/{meeting}", "/workspace/reports/compile" })]
    [InlineData("Eli Stakeholder (Community Networks Alliance)", new[] { "/workspace", "/workspace/teams/{team}/join", "/workspace/teams/{team}/leave", "/workspace/stakeholders/register" })]
    public async Task Workspace_pages_have_no_WCAG_2_1_A_or_AA_violations(string person, string[] paths)
    {
        var team = (await new Wsis.Teams.V1.Teams.TeamsClient(host.Channel).ListTeamsAsync(new ListTeamsRequest())).Teams.First(t => t.ActionLineCode == "C2");
        var meeting = (await new CoordinatorsMeetings.CoordinatorsMeetingsClient(host.Channel).ListCoordinatorsMeetingsAsync(new ListCoordinatorsMeetingsRequest { PageSize = 200 }))
            .Meetings.First(m => m.Venue == RefusalTests.DemonstrationMeetingVenue);
        var page = await host.NewPageAsync();
        await page.GotoAsync("/workspace");
        await AssertNoViolationsAsync(page, "the development provider's login page");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in as " + person }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/workspace");
        foreach (var path in paths.Select(p => p.Replace("{team}", team.Id, StringComparison.Ordinal).Replace("{meeting}", meeting.Id, StringComparison.Ordinal)))
        {
            await page.GotoAsync(path);
            await AssertNoViolationsAsync(page, person + " on " + path);
        }
    }

    internal static async Task AssertNoViolationsAsync(IPage page, string where)
    {
        var results = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        });
        Assert.True(results.Violations.Length == 0,
            where + ": " + string.Join("; ", results.Violations.Select(v => $"{v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => n.Html))})")));
    }
}
