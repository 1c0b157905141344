using Microsoft.Playwright;
using Wsis.Teams.V1;

namespace Workspace.Tests;

/// <summary>A team's own work through the workspace: its designated coordinator sets the modalities and
/// schedules a meeting; a member stakeholder registers for it.</summary>
[Collection(WorkspaceCollection.Name)]
public sealed class TeamFormTests(WorkspaceHost host)
{
    [Fact]
    public async Task The_coordinator_sets_modalities_and_schedules_a_meeting_a_stakeholder_registers_for()
    {
        var coordinator = await host.NewPageAsync();
        await WorkspaceHost.SignInAsync(coordinator, "Chen Coordinator (ITU)");
        await coordinator.GetByRole(AriaRole.Link, new() { Name = "Set the coordination modalities" }).First.ClickAsync();
        var modalities = "Monthly calls; a workshop at the WSIS Forum " + Guid.NewGuid().ToString("N")[..4];
        await coordinator.GetByLabel("How the team works").FillAsync(modalities);
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Set the modalities" }).ClickAsync();
        await coordinator.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/workspace");

        await coordinator.GetByRole(AriaRole.Link, new() { Name = "Schedule a team meeting" }).First.ClickAsync();
        var title = "C2 workshop " + Guid.NewGuid().ToString("N")[..4];
        await coordinator.GetByLabel("Title").FillAsync(title);
        await coordinator.GetByLabel("Venue or link").FillAsync("Online");
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Schedule the meeting" }).ClickAsync();
        await coordinator.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/workspace");

        var team = (await new Wsis.Teams.V1.Teams.TeamsClient(host.Channel).ListTeamsAsync(new ListTeamsRequest())).Teams.Single(t => t.ActionLineCode == "C2");
        Assert.Equal(modalities, team.Modalities.Text);
        var meeting = Assert.Single(team.Meetings, m => m.Title == title);

        var stakeholder = await host.NewPageAsync();
        await WorkspaceHost.SignInAsync(stakeholder, "Eli Stakeholder (Community Networks Alliance)");
        await stakeholder.GetByRole(AriaRole.Link, new() { Name = "Register for " + title }).ClickAsync();
        await stakeholder.GetByRole(AriaRole.Button, new() { Name = "Register my organisation" }).ClickAsync();
        await stakeholder.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/workspace");
        Assert.Equal(0, await stakeholder.GetByRole(AriaRole.Link, new() { Name = "Register for " + title }).CountAsync());
        team = await new Wsis.Teams.V1.Teams.TeamsClient(host.Channel).GetTeamAsync(new GetTeamRequest { Id = team.Id });
        var network = team.Members.Single(m => m.StakeholderName == "Community Networks Alliance (demonstration)").StakeholderId;
        Assert.Contains(network, team.Meetings.Single(m => m.Id == meeting.Id).RegisteredStakeholderIds);
    }

    [Fact]
    public async Task The_secretariat_creates_the_team_of_an_action_line_that_has_none()
    {
        var page = await host.NewPageAsync();
        await WorkspaceHost.SignInAsync(page, "Ana Secretariat");
        await page.GetByRole(AriaRole.Link, new() { Name = "Create a team" }).ClickAsync();
        // C2 has its team (demonstration data): it is not offered again.
        Assert.Equal(0, await page.Locator("#ActionLineCode option[value='C2']").CountAsync());
        await page.Locator("#ActionLineCode").SelectOptionAsync("C5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create the team" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/workspace");
        Assert.Contains("Team created: C5", await page.GetByTestId("done").InnerTextAsync());
        Assert.Contains("C5", await page.GetByTestId("all-teams").InnerTextAsync());
        Assert.Single((await new Wsis.Teams.V1.Teams.TeamsClient(host.Channel).ListTeamsAsync(new ListTeamsRequest { PageSize = 200 })).Teams, t => t.ActionLineCode == "C5");
    }
}
