using System.Net.Http.Json;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Playwright;
using Wsis.Consultations.V1;
using Wsis.Teams.V1;

namespace Workspace.Tests;

/// <summary>The workspace's forms in a real browser, signed in through the development identity
/// provider, calling the real services with the person's own access token.</summary>
[Collection(WorkspaceCollection.Name)]
public sealed class FormTests(WorkspaceHost host)
{
    private const string Bruno = "Bruno Focal Point (Switzerland)";
    private const string Chen = "Chen Coordinator (ITU)";
    private const string Eli = "Eli Stakeholder (Community Networks Alliance)";
    private const string Ana = "Ana Secretariat";

    [Fact]
    public async Task A_Member_State_opens_a_consultation_and_a_double_click_opens_it_once()
    {
        var page = await host.NewPageAsync();
        await WorkspaceHost.SignInAsync(page, Bruno);
        await page.GetByRole(AriaRole.Link, new() { Name = "Open a consultation" }).ClickAsync();
        var title = "Data flows " + Guid.NewGuid().ToString("N")[..8];
        await page.Locator("#MeetingId").SelectOptionAsync(new SelectOptionValue { Index = 1 });
        await page.GetByLabel("Title").FillAsync(title);
        await page.GetByLabel("The issue").FillAsync("How should cross-border data flows be governed?");
        await page.GetByLabel("Questions (one per line)").FillAsync("What works?\nWhat does not?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Open the consultation" }).DblClickAsync();
        // The second post aborts the first one's navigation in the browser: wait for where it settles.
        for (var attempt = 0; attempt < 30 && new Uri(page.Url).AbsolutePath != "/workspace"; attempt++)
        {
            try
            {
                await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/workspace", new() { Timeout = 2000 });
            }
            catch (PlaywrightException)
            {
            }
        }

        await page.WaitForLoadStateAsync();
        Assert.Contains(title, await page.GetByTestId("done").InnerTextAsync());

        var opened = (await Consultations().ListConsultationsAsync(new ListConsultationsRequest { PageSize = 200 })).Consultations
            .Where(c => c.Title == title).ToList();
        var consultation = Assert.Single(opened);
        Assert.Equal("CH", consultation.OpenedByCountryCode);
        Assert.Equal(["What works?", "What does not?"], consultation.Questions);
    }

    [Fact]
    public async Task The_services_reason_is_shown_beside_the_field_it_names_and_the_form_keeps_what_was_typed()
    {
        var page = await host.NewPageAsync();
        await WorkspaceHost.SignInAsync(page, Bruno, "/workspace/consultations/open");
        await page.Locator("#MeetingId").SelectOptionAsync(new SelectOptionValue { Index = 1 });
        // Blank for the service, though the browser's own check lets spaces through.
        await page.GetByLabel("Title").FillAsync("   ");
        await page.GetByLabel("The issue").FillAsync("Kept when the form comes back.");
        var response = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Open the consultation" }).ClickAsync(),
            r => r.Request.Method == "POST");
        Assert.Equal(400, response.Status);
        Assert.Equal("title is required", await page.GetByTestId("error-Title").InnerTextAsync());
        Assert.Equal("Kept when the form comes back.", await page.GetByLabel("The issue").InputValueAsync());
        await host.ScreenshotAsync(page, "reason-beside-the-field");
    }

    [Fact]
    public async Task A_form_posted_after_the_session_ended_is_found_again_after_signing_in_and_sent()
    {
        var page = await host.NewPageAsync();
        await WorkspaceHost.SignInAsync(page, Bruno, "/workspace/consultations/open");
        var title = "Session ended " + Guid.NewGuid().ToString("N")[..8];
        await page.Locator("#MeetingId").SelectOptionAsync(new SelectOptionValue { Index = 1 });
        await page.GetByLabel("Title").FillAsync(title);
        await page.GetByLabel("The issue").FillAsync("Written while the session ran out.");

        // The gateway's session ends (the provider's own session is still there, as after a long pause).
        await page.Context.ClearCookiesAsync(new BrowserContextClearCookiesOptions { Name = "wsis.session" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Open the consultation" }).ClickAsync();

        await page.WaitForURLAsync(url => url.Contains("unsent=", StringComparison.Ordinal));
        Assert.Equal(1, await page.GetByTestId("restored").CountAsync());
        Assert.Equal(title, await page.GetByLabel("Title").InputValueAsync());
        Assert.Equal("Written while the session ran out.", await page.GetByLabel("The issue").InputValueAsync());
        await host.ScreenshotAsync(page, "form-found-again-after-sign-in");
        await page.GetByRole(AriaRole.Button, new() { Name = "Open the consultation" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/workspace");
        Assert.Single((await Consultations().ListConsultationsAsync(new ListConsultationsRequest { PageSize = 200 })).Consultations, c => c.Title == title);
    }

    [Fact]
    public async Task A_stakeholder_joins_a_team_and_a_role_without_the_control_is_refused_by_the_service()
    {
        var team = await Teams().CreateTeamAsync(new CreateTeamRequest { ActionLineCode = "C10", RequestId = "workspace-test-c10" }, await SecretariatAsync());

        var page = await host.NewPageAsync();
        await WorkspaceHost.SignInAsync(page, Eli);
        Assert.Contains("C10", await page.GetByTestId("to-join").InnerTextAsync());
        // A stakeholder has no control to open a consultation.
        Assert.Equal(0, await page.GetByRole(AriaRole.Link, new() { Name = "Open a consultation" }).CountAsync());

        await page.GotoAsync($"/workspace/teams/{team.Id}/join");
        await page.GetByRole(AriaRole.Button, new() { Name = "Join for my organisation" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/workspace");
        Assert.Contains("C10", await page.GetByTestId("joined").InnerTextAsync());
        var joined = await Teams().GetTeamAsync(new GetTeamRequest { Id = team.Id });
        Assert.Contains(joined.Members, m => m.StakeholderName == "Community Networks Alliance (demonstration)");

        // The form posted anyway (with a valid anti-forgery token): the service says no, and the page says why.
        var form = page.Locator("form[action='/workspace/signout'] input[name='__RequestVerificationToken']");
        var token = await form.GetAttributeAsync("value");
        var refused = await page.Context.APIRequest.PostAsync("/workspace/consultations/open", new APIRequestContextOptions
        {
            Form = FormOf(page.Context.APIRequest, ("__RequestVerificationToken", token!), ("RequestId", Guid.NewGuid().ToString("N")),
                ("MeetingId", (await Consultations().ListGroupMeetingsAsync(new ListGroupMeetingsRequest())).Meetings[0].Id),
                ("Title", "Not mine to open"), ("IssueText", "A stakeholder tries.")),
        });
        Assert.Equal(403, refused.Status);
        Assert.Contains("may be called only by a Member State", await refused.TextAsync());

        // Without the anti-forgery token the post never reaches the service.
        var forged = await page.Context.APIRequest.PostAsync("/workspace/stakeholders/register", new APIRequestContextOptions
        {
            Form = FormOf(page.Context.APIRequest, ("RequestId", "forged"), ("Name", "Forged organisation"), ("Category", "CivilSociety"), ("CountryCode", "FR"), ("ContactEmail", "f@example.org")),
        });
        Assert.Equal(400, forged.Status);
        Assert.DoesNotContain((await new Stakeholders.StakeholdersClient(host.Channel).ListStakeholdersAsync(new ListStakeholdersRequest { PageSize = 200 })).Stakeholders,
            s => s.Name == "Forged organisation");
    }

    [Fact]
    public async Task The_secretariat_nominates_a_coordinator_and_the_coordinator_votes_with_the_services_message_beside_the_ballot()
    {
        var secretariat = await SecretariatAsync();
        var team = await Teams().CreateTeamAsync(new CreateTeamRequest { ActionLineCode = "C11", RequestId = "workspace-test-c11" }, secretariat);
        var meetings = new CoordinatorsMeetings.CoordinatorsMeetingsClient(host.Channel);
        // UNESCO, the demonstration's chair: the newest meeting's officers are those in office for Reporting.
        var unesco = (await new Stakeholders.StakeholdersClient(host.Channel).ListStakeholdersAsync(new ListStakeholdersRequest { PageSize = 200 }))
            .Stakeholders.First(s => s.Name == MeetingFormTests.Unesco);
        var meeting = await meetings.ConveneCoordinatorsMeetingAsync(new ConveneCoordinatorsMeetingRequest
        {
            StartsAt = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(60)),
            Venue = "Geneva (workspace test)",
            ViceChairSeats = 2,
            Funding =
            {
                new FundingLine { Funder = Funder.Itu, Amount = new Money { CurrencyCode = "CHF", AmountMinor = 1_000_000 } },
                new FundingLine { Funder = Funder.Unesco, Amount = new Money { CurrencyCode = "CHF", AmountMinor = 1_000_000 } },
            },
            RequestId = "workspace-test-meeting",
        }, secretariat);
        await meetings.NominateOfficerAsync(new NominateOfficerRequest { MeetingId = meeting.Id, Office = Office.Chair, StakeholderId = unesco.Id, RequestId = "workspace-test-nominate-chair" }, secretariat);

        // The secretariat records a nomination through the form.
        var page = await host.NewPageAsync();
        await WorkspaceHost.SignInAsync(page, Ana);
        await page.GotoAsync($"/workspace/teams/{team.Id}/coordinator");
        await page.Locator("#StakeholderId").SelectOptionAsync(new SelectOptionValue { Label = "Open Standards Institute (demonstration) (Academic and technical)" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Record" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/workspace");
        Assert.Equal(DesignationState.Nominated, (await Teams().GetTeamAsync(new GetTeamRequest { Id = team.Id })).DesignationState);

        // The coordinator's ballot: candidates and seats; sent empty, the service's reason is beside it.
        var coordinator = await host.NewPageAsync();
        await WorkspaceHost.SignInAsync(coordinator, Chen);
        await coordinator.GetByRole(AriaRole.Link, new() { Name = "Vote" }).First.ClickAsync();
        Assert.Contains("1 seat", await coordinator.GetByTestId("seats").InnerTextAsync());
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Cast the ballot" }).ClickAsync();
        Assert.Equal("candidate_ids is required", await coordinator.GetByTestId("error-CandidateIds").InnerTextAsync());
        await host.ScreenshotAsync(coordinator, "ballot-refused");
        await coordinator.GetByLabel(MeetingFormTests.Unesco).CheckAsync();
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Cast the ballot" }).ClickAsync();
        await coordinator.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/workspace");
        Assert.Contains("Ballot cast", await coordinator.GetByTestId("done").InnerTextAsync());
        var results = await meetings.CloseElectionAsync(new CloseElectionRequest { MeetingId = meeting.Id }, secretariat);
        Assert.Equal(unesco.Id, results.ChairStakeholderId);
    }

    private static IFormData FormOf(IAPIRequestContext request, params (string Name, string Value)[] fields)
    {
        var form = request.CreateFormData();
        foreach (var (name, value) in fields)
        {
            form.Set(name, value);
        }

        return form;
    }

    private Wsis.Consultations.V1.Consultations.ConsultationsClient Consultations() => new(host.Channel);

    private Wsis.Teams.V1.Teams.TeamsClient Teams() => new(host.Channel);

    private async Task<Metadata> SecretariatAsync()
    {
        using var http = new HttpClient { BaseAddress = host.Web };
        using var response = await http.PostAsJsonAsync("/dev/token", new { sub = "workspace-test-secretariat", name = "Test", roles = new[] { "secretariat" } });
        var token = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString();
        return new Metadata { { "authorization", "Bearer " + token } };
    }
}
