using System.Net.Http.Json;
using System.Text.Json;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Grpc.Core;
using Microsoft.Playwright;
using Wsis.Teams.V1;

namespace Workspace.Tests;

/// <summary>The secretariat reads who did what to a team, and when, from the Teams service's own
/// records; nobody else gets the history, on the page or from the service.</summary>
[Collection(WorkspaceCollection.Name)]
public sealed class HistoryTests(WorkspaceHost host)
{
    private const string Ana = "Ana Secretariat";
    private const string Eli = "Eli Stakeholder (Community Networks Alliance)";

    [Fact]
    public async Task The_secretariat_sees_who_did_what_to_a_team_through_the_forms_and_a_stakeholder_is_refused()
    {
        var teams = new Wsis.Teams.V1.Teams.TeamsClient(host.Channel);
        var team = await teams.CreateTeamAsync(new CreateTeamRequest { ActionLineCode = "C7.E-SCIENCE", RequestId = "workspace-test-history-team" }, await SecretariatAsync());

        // A stakeholder joins through the form; the secretariat nominates a coordinator through its form.
        var stakeholder = await host.NewPageAsync();
        await WorkspaceHost.SignInAsync(stakeholder, Eli);
        await stakeholder.GotoAsync($"/workspace/teams/{team.Id}/join");
        await stakeholder.GetByRole(AriaRole.Button, new() { Name = "Join for my organisation" }).ClickAsync();
        await stakeholder.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/workspace");

        var secretariat = await host.NewPageAsync();
        await WorkspaceHost.SignInAsync(secretariat, Ana);
        await secretariat.GotoAsync($"/workspace/teams/{team.Id}/coordinator");
        await secretariat.Locator("#StakeholderId").SelectOptionAsync(new SelectOptionValue { Label = "Open Standards Institute (demonstration) (Academic and technical)" });
        await secretariat.GetByRole(AriaRole.Button, new() { Name = "Record" }).ClickAsync();
        await secretariat.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/workspace");

        // From the workspace's page of histories, and from the team's public page.
        await secretariat.GetByRole(AriaRole.Link, new() { Name = "Histories of teams, meetings of coordinators, consultations and reports" }).ClickAsync();
        await secretariat.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/workspace/histories");
        Assert.Equal(HistoryHrefOf(team.Id), await secretariat.GetByTestId("histories").GetByRole(AriaRole.Link, new() { Name = "C7.E-SCIENCE E-science" }).GetAttributeAsync("href"));
        await AssertNoViolationsAsync(secretariat, "the page of histories");
        await secretariat.GotoAsync($"/teams/{team.Id}");
        await secretariat.GetByTestId("history-link").ClickAsync();
        await secretariat.WaitForURLAsync(url => new Uri(url).AbsolutePath == HistoryHrefOf(team.Id));

        var rows = secretariat.GetByTestId("history").Locator("tbody tr");
        Assert.Equal(["TeamCreated", "StakeholderJoined", "CoordinatorNominated"],
            await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.action)"));
        var cells = await rows.AllInnerTextsAsync();
        Assert.Contains("Workspace History Test", cells[0]);
        Assert.Contains("Eli Stakeholder (Community Networks Alliance) (dev-stakeholder)", cells[1]);
        Assert.Contains("Organisation joined: Community Networks Alliance (demonstration)", cells[1]);
        Assert.Contains("Ana Secretariat (dev-secretariat)", cells[2]);
        Assert.Contains("Coordinator nominated: Open Standards Institute (demonstration)", cells[2]);
        // Geneva time, with its offset from UTC (CET in winter, CEST in summer).
        Assert.Matches(@"^\d{1,2} [A-Z][a-z]+ \d{4} \d{2}:\d{2}:\d{2} \(UTC\+0[12]:00\)", cells[2]);
        await AssertNoViolationsAsync(secretariat, "the team's history");
        await host.ScreenshotAsync(secretariat, "team-history");

        await secretariat.GotoAsync($"/workspace/teams/{team.Id}/history?culture=fr");
        Assert.Contains("Coordonnateur proposé", await secretariat.GetByTestId("history").InnerTextAsync());
        Assert.Contains("Historique", await secretariat.Locator("h1").InnerTextAsync());
        await AssertNoViolationsAsync(secretariat, "the team's history in French");

        // The stakeholder: no link on the public page, and the service's refusal on the history page.
        await stakeholder.GotoAsync($"/teams/{team.Id}");
        Assert.Equal(0, await stakeholder.GetByTestId("history-link").CountAsync());
        var refused = await stakeholder.GotoAsync($"/workspace/teams/{team.Id}/history");
        Assert.Equal(403, refused!.Status);
        Assert.Equal("teams.v1.Teams/ListTeamHistory may be called only by the secretariat (role secretariat)",
            (await stakeholder.GetByTestId("form-error").InnerTextAsync()).Trim());
        Assert.Equal(0, await stakeholder.GetByTestId("history").CountAsync());
        await AssertNoViolationsAsync(stakeholder, "the refused history");
    }

    private static string HistoryHrefOf(string teamId) => $"/workspace/teams/{teamId}/history";

    private static async Task AssertNoViolationsAsync(IPage page, string where)
    {
        var results = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        });
        Assert.True(results.Violations.Length == 0,
            where + ": " + string.Join("; ", results.Violations.Select(v => $"{v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => n.Html))})")));
    }

    private async Task<Metadata> SecretariatAsync()
    {
        using var http = new HttpClient { BaseAddress = host.Web };
        using var response = await http.PostAsJsonAsync("/dev/token", new { sub = "workspace-history-test", name = "Workspace History Test", roles = new[] { "secretariat" } });
        var token = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString();
        return new Metadata { { "authorization", "Bearer " + token } };
    }
}
