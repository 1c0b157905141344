using Microsoft.Playwright;
using Wsis.Consultations.V1;
using Wsis.Teams.V1;

namespace Workspace.Tests;

/// <summary>The secretariat's meetings through the workspace: a meeting of CWG-Internet, then the
/// meeting of coordinators with its ITU and UNESCO funding.</summary>
[Collection(WorkspaceCollection.Name)]
public sealed class MeetingFormTests(WorkspaceHost host)
{
    public const string Unesco = "United Nations Educational, Scientific and Cultural Organization";

    [Fact]
    public async Task The_secretariat_schedules_a_group_meeting_and_convenes_the_coordinators()
    {
        var page = await host.NewPageAsync();
        await WorkspaceHost.SignInAsync(page, "Ana Secretariat");
        await page.GetByRole(AriaRole.Link, new() { Name = "Schedule a meeting of CWG-Internet" }).ClickAsync();
        var venue = "Geneva room " + Guid.NewGuid().ToString("N")[..4];
        // Six months ahead: a consultation opened for it could still take responses for five months.
        var firstDay = WorkspaceClock.Iso(WorkspaceClock.GenevaToday.AddMonths(6));
        await page.GetByLabel("First day").FillAsync(firstDay);
        await page.GetByLabel("Venue").FillAsync(venue);
        await page.GetByRole(AriaRole.Button, new() { Name = "Schedule" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/workspace");
        Assert.Contains((await new Wsis.Consultations.V1.Consultations.ConsultationsClient(host.Channel).ListGroupMeetingsAsync(new ListGroupMeetingsRequest { PageSize = 100 })).Meetings,
            m => m.Venue == venue && m.StartsOn == firstDay);

        await page.GetByRole(AriaRole.Link, new() { Name = "Convene the meeting of coordinators" }).ClickAsync();
        await page.GetByLabel("Venue").FillAsync("Paris, " + venue);
        await page.GetByLabel("ITU funding").FillAsync("15000");
        await page.GetByLabel("UNESCO funding").FillAsync("12500.50");
        await page.GetByRole(AriaRole.Button, new() { Name = "Convene" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/workspace");
        var convened = (await new CoordinatorsMeetings.CoordinatorsMeetingsClient(host.Channel).ListCoordinatorsMeetingsAsync(new ListCoordinatorsMeetingsRequest { PageSize = 50 }))
            .Meetings.Single(m => m.Venue == "Paris, " + venue);
        Assert.Equal(1_250_050, convened.Funding.Single(f => f.Funder == Funder.Unesco).Amount.AmountMinor);
        Assert.Equal(2, convened.ViceChairSeats);

        // The election: the secretariat nominates, the coordinator votes, the secretariat closes. UNESCO, as in
        // the demonstration data: the newest meeting's officers are the ones in office for Reporting, and the
        // other tests rely on the chair persona (UNESCO) being the chair and Chen (ITU) not an officer.
        await page.GetByRole(AriaRole.Link, new() { Name = "Paris, " + venue }).ClickAsync();
        await page.Locator("#StakeholderId").SelectOptionAsync(new SelectOptionValue { Label = Unesco });
        await page.GetByRole(AriaRole.Button, new() { Name = "Nominate" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/workspace");
        var coordinator = await host.NewPageAsync();
        await WorkspaceHost.SignInAsync(coordinator, "Chen Coordinator (ITU)");
        await coordinator.GotoAsync($"/workspace/elections/{convened.Id}/vote");
        await coordinator.GetByLabel(Unesco).CheckAsync();
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Cast the ballot" }).ClickAsync();
        await coordinator.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/workspace");
        await page.GotoAsync($"/workspace/coordinators-meetings/{convened.Id}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Close the election" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/workspace");
        await page.GotoAsync($"/workspace/coordinators-meetings/{convened.Id}");
        Assert.Equal(Unesco, await page.GetByTestId("chair").InnerTextAsync());

        // The year's stocktaking procedures, then the coordinator's contribution against them.
        var year = WorkspaceClock.Year.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await page.GetByLabel("Stocktaking year").FillAsync(year);
        await page.GetByLabel("Contributions due (UTC)").FillAsync(DateTime.UtcNow.AddDays(30).ToString("yyyy-MM-dd'T'HH:mm"));
        await page.GetByLabel("Required entry fields (e.g. url, country_codes)").FillAsync("country_codes");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set the procedures" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/workspace");

        var team = (await new Wsis.Teams.V1.Teams.TeamsClient(host.Channel).ListTeamsAsync(new ListTeamsRequest())).Teams.Single(t => t.ActionLineCode == "C2");
        await coordinator.GotoAsync($"/workspace/teams/{team.Id}/contribution");
        var activity = "Rural backhaul pilots " + Guid.NewGuid().ToString("N")[..4];
        await coordinator.GetByLabel("Year").FillAsync(year);
        await coordinator.GetByLabel("Title").FillAsync(activity);
        await coordinator.GetByLabel("Countries (ISO 3166-1 alpha-2, e.g. KE, BR)").FillAsync("KE, BR");
        // Reporting learns the procedures from Teams' event: until it has, the service says they are missing.
        for (var attempt = 0; attempt < 30 && new Uri(coordinator.Url).AbsolutePath != "/workspace"; attempt++)
        {
            await coordinator.GetByRole(AriaRole.Button, new() { Name = "Submit the contribution" }).ClickAsync();
            await coordinator.WaitForLoadStateAsync();
            if (new Uri(coordinator.Url).AbsolutePath != "/workspace")
            {
                await Task.Delay(500);
            }
        }

        Assert.Equal("/workspace", new Uri(coordinator.Url).AbsolutePath);
        var inventory = await new Wsis.Reporting.V1.Stocktaking.StocktakingClient(host.Channel)
            .ListInventoryAsync(new Wsis.Reporting.V1.ListInventoryRequest { Year = WorkspaceClock.Year, Text = activity });
        var entry = Assert.Single(inventory.Entries);
        Assert.Equal(["KE", "BR"], entry.CountryCodes);
    }
}
