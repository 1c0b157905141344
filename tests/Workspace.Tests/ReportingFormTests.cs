using Microsoft.Playwright;
using Wsis.Reporting.V1;
using Wsis.Teams.V1;

namespace Workspace.Tests;

/// <summary>Reporting through the workspace: a Member State's national report; the demonstration's elected
/// chair sets the meeting's framework and compiles a report, seen before it is submitted, then its
/// transmission recorded by the secretariat.</summary>
[Collection(WorkspaceCollection.Name)]
public sealed class ReportingFormTests(WorkspaceHost host)
{
    [Fact]
    public async Task A_Member_State_files_its_national_report()
    {
        // Switzerland: the demonstration data already holds Kenya's report for this year.
        var year = WorkspaceClock.Year.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var page = await host.NewPageAsync();
        await WorkspaceHost.SignInAsync(page, "Bruno Focal Point (Switzerland)");
        await page.GetByRole(AriaRole.Link, new() { Name = "File the national implementation report" }).ClickAsync();
        await page.GetByLabel("Year").FillAsync(year);
        await page.GetByLabel("Report").FillAsync($"Switzerland connected every school in {year}.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Submit the report" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/workspace");
        Assert.Contains($"National report for {year} submitted (CH)", await page.GetByTestId("done").InnerTextAsync());
        var filed = (await new Stocktaking.StocktakingClient(host.Channel).ListNationalReportsAsync(new ListNationalReportsRequest { CountryCode = "CH", Year = int.Parse(year, System.Globalization.CultureInfo.InvariantCulture) })).Reports;
        Assert.Contains(filed, r => r.Text == $"Switzerland connected every school in {year}.");
    }

    [Fact]
    public async Task The_demonstrations_chair_sets_the_framework_compiles_sees_and_submits_a_report_and_the_secretariat_records_its_transmission()
    {
        // No set-up: the chair persona acts for UNESCO, which the demonstration data elected chair.
        var chair = await host.NewPageAsync();
        await WorkspaceHost.SignInAsync(chair, "Dana Chair (UNESCO)");
        await chair.GetByTestId("chaired").GetByRole(AriaRole.Link).First.ClickAsync();
        // Blank for the service (the browser lets spaces through): its reason beside the field.
        await chair.GetByLabel("The general framework of implementation").FillAsync("   ");
        await chair.GetByRole(AriaRole.Button, new() { Name = "Set the framework" }).ClickAsync();
        Assert.Equal("text is required", await chair.GetByTestId("error-Framework").InnerTextAsync());
        var framework = "Teams report twice a year; the chair compiles the stocktaking " + Guid.NewGuid().ToString("N")[..6];
        await chair.GetByLabel("The general framework of implementation").FillAsync(framework);
        var meetingPath = new Uri(chair.Url).AbsolutePath;
        var frameworkPath = meetingPath + "?handler=Framework";
        var meetingsClient = new CoordinatorsMeetings.CoordinatorsMeetingsClient(host.Channel);
        var historyRequest = new ListCoordinatorsMeetingHistoryRequest { MeetingId = meetingPath.Split('/')[^1], PageSize = 500 };
        var secretariat = await SecretariatAsync();
        var linesBefore = (await meetingsClient.ListCoordinatorsMeetingHistoryAsync(historyRequest, secretariat)).Entries.Count(h => h.Action == "ImplementationFrameworkSet");
        var resent = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = (await chair.Locator("form[action*='handler=Framework'] input[name='__RequestVerificationToken']").GetAttributeAsync("value"))!,
            ["RequestId"] = await chair.Locator("form[action*='handler=Framework'] input[name='RequestId']").First.InputValueAsync(),
            ["Framework"] = framework,
        };
        await chair.GetByRole(AriaRole.Button, new() { Name = "Set the framework" }).ClickAsync();
        await chair.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/workspace");
        Assert.Contains("Implementation framework set", await chair.GetByTestId("done").InnerTextAsync());
        var meetings = (await meetingsClient.ListCoordinatorsMeetingsAsync(new ListCoordinatorsMeetingsRequest { PageSize = 200 })).Meetings;
        var chaired = Assert.Single(meetings, m => m.ImplementationFramework == framework);
        // The same rendering posted again (a resent form): the service answers it with the first outcome
        // (the form's request_id), so the framework is set once, one line of the meeting's history.
        var form = chair.Context.APIRequest.CreateFormData();
        foreach (var (name, value) in resent)
        {
            form.Set(name, value);
        }

        var again = await chair.Context.APIRequest.PostAsync(frameworkPath, new APIRequestContextOptions { Form = form, MaxRedirects = 0 });
        Assert.Equal(302, again.Status);
        Assert.Equal(chaired.Id, historyRequest.MeetingId);
        Assert.Equal(framework, (await meetingsClient.GetCoordinatorsMeetingAsync(new GetCoordinatorsMeetingRequest { Id = chaired.Id })).ImplementationFramework);
        var history = (await meetingsClient.ListCoordinatorsMeetingHistoryAsync(historyRequest, secretariat)).Entries;
        Assert.Equal(linesBefore + 1, history.Count(h => h.Action == "ImplementationFrameworkSet"));
        Assert.Equal("dev-chair", history.Last(h => h.Action == "ImplementationFrameworkSet").ActorSubject);

        var year = WorkspaceClock.Year.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await chair.GetByRole(AriaRole.Link, new() { Name = "Compile a report" }).ClickAsync();
        await chair.GetByLabel("First day of the period").FillAsync($"{year}-01-01");
        await chair.GetByLabel("Last day of the period").FillAsync($"{year}-12-31");
        await chair.GetByRole(AriaRole.Button, new() { Name = "Compile the draft" }).ClickAsync();
        await chair.WaitForURLAsync(url => new Uri(url).AbsolutePath.StartsWith("/workspace/reports/", StringComparison.Ordinal) && !url.EndsWith("/compile", StringComparison.Ordinal));
        Assert.Equal("Draft", await chair.GetByTestId("report-state").InnerTextAsync());
        var reportPath = new Uri(chair.Url).AbsolutePath;
        // The preview: the draft's own HTML in its sandboxed frame, read with the chair's token.
        var preview = chair.FrameLocator("iframe.report").Locator("body");
        Assert.Contains(year, await preview.InnerTextAsync());
        await host.ScreenshotAsync(chair, "report-preview");
        await chair.GetByRole(AriaRole.Button, new() { Name = "Submit to the UN Secretary-General" }).ClickAsync();
        await chair.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/workspace");
        Assert.Contains("submitted to the UN Secretary-General", await chair.GetByTestId("done").InnerTextAsync());

        var secretariatPage = await host.NewPageAsync();
        await WorkspaceHost.SignInAsync(secretariatPage, "Ana Secretariat");
        await secretariatPage.GotoAsync(reportPath);
        Assert.Equal("Submitted", await secretariatPage.GetByTestId("report-state").InnerTextAsync());
        await secretariatPage.GetByLabel("General Assembly document reference").FillAsync("A/81/123");
        await secretariatPage.GetByRole(AriaRole.Button, new() { Name = "Record the transmission to the General Assembly" }).ClickAsync();
        await secretariatPage.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/workspace");
        await secretariatPage.GotoAsync(reportPath);
        Assert.Equal("Transmitted", await secretariatPage.GetByTestId("report-state").InnerTextAsync());
    }

    private async Task<Grpc.Core.Metadata> SecretariatAsync()
    {
        using var http = new HttpClient { BaseAddress = host.Web };
        using var response = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(http, "/dev/token", new { sub = "reporting-form-test-secretariat", roles = new[] { "secretariat" } });
        var token = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString();
        return new Grpc.Core.Metadata { { "authorization", "Bearer " + token } };
    }
}
