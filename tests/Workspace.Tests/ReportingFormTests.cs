using System.Net.Http.Json;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Playwright;
using Wsis.Reporting.V1;
using Wsis.Teams.V1;

namespace Workspace.Tests;

/// <summary>Reporting through the workspace: a Member State's national report, and a report compiled by
/// the elected chair, seen before it is submitted, then its transmission recorded by the secretariat.</summary>
[Collection(WorkspaceCollection.Name)]
public sealed class ReportingFormTests(WorkspaceHost host)
{
    [Fact]
    public async Task A_Member_State_files_its_national_report()
    {
        // Switzerland: the demonstration data already holds Kenya's report for this year.
        var year = DateTime.UtcNow.Year.ToString(System.Globalization.CultureInfo.InvariantCulture);
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
    public async Task The_elected_chair_compiles_sees_and_submits_a_report_and_the_secretariat_records_its_transmission()
    {
        var stakeholders = (await new Stakeholders.StakeholdersClient(host.Channel).ListStakeholdersAsync(new ListStakeholdersRequest { PageSize = 200 })).Stakeholders;
        var itu = stakeholders.First(s => s.Name == "International Telecommunication Union");
        var secretariat = await TokenAsync(new { sub = "reporting-test-secretariat", roles = new[] { "secretariat" } });
        var coordinator = await TokenAsync(new { sub = "dev-coordinator", roles = new[] { "coordinator" }, org = itu.Id });
        var meetings = new CoordinatorsMeetings.CoordinatorsMeetingsClient(host.Channel);
        var meeting = await meetings.ConveneCoordinatorsMeetingAsync(new ConveneCoordinatorsMeetingRequest
        {
            StartsAt = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(90)),
            Venue = "Paris (reporting test)",
            ViceChairSeats = 1,
            Funding =
            {
                new FundingLine { Funder = Funder.Itu, Amount = new Money { CurrencyCode = "CHF", AmountMinor = 500_000 } },
                new FundingLine { Funder = Funder.Unesco, Amount = new Money { CurrencyCode = "EUR", AmountMinor = 500_000 } },
            },
            RequestId = "reporting-test-meeting",
        }, secretariat);
        await meetings.NominateOfficerAsync(new NominateOfficerRequest { MeetingId = meeting.Id, Office = Office.Chair, StakeholderId = itu.Id, RequestId = "reporting-test-nominate" }, secretariat);
        await meetings.CastVoteAsync(new CastVoteRequest { MeetingId = meeting.Id, Office = Office.Chair, CandidateIds = { itu.Id }, RequestId = "reporting-test-vote" }, coordinator);
        await meetings.CloseElectionAsync(new CloseElectionRequest { MeetingId = meeting.Id }, secretariat);

        // Reporting learns the officers from Teams' events: the chair may compile once they arrived.
        var reports = new Reports.ReportsClient(host.Channel);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await reports.CompileReportAsync(new CompileReportRequest { PeriodStart = "2026-01-01", PeriodEnd = "2026-06-30", RequestId = "reporting-test-probe-" + attempt }, coordinator);
                break;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.PermissionDenied or StatusCode.Unavailable && attempt < 60)
            {
                await Task.Delay(500);
            }
        }

        var chair = await host.NewPageAsync();
        await WorkspaceHost.SignInAsync(chair, "Chen Coordinator (ITU)");
        await chair.GetByRole(AriaRole.Link, new() { Name = "Compile a report" }).ClickAsync();
        await chair.GetByLabel("First day of the period").FillAsync("2026-01-01");
        await chair.GetByLabel("Last day of the period").FillAsync("2026-12-31");
        await chair.GetByRole(AriaRole.Button, new() { Name = "Compile the draft" }).ClickAsync();
        await chair.WaitForURLAsync(url => new Uri(url).AbsolutePath.StartsWith("/workspace/reports/", StringComparison.Ordinal) && !url.EndsWith("/compile", StringComparison.Ordinal));
        Assert.Equal("Draft", await chair.GetByTestId("report-state").InnerTextAsync());
        var reportPath = new Uri(chair.Url).AbsolutePath;
        // The preview: the draft's own HTML in its sandboxed frame, read with the chair's token.
        var preview = chair.FrameLocator("iframe.report").Locator("body");
        Assert.Contains("2026", await preview.InnerTextAsync());
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

    private async Task<Metadata> TokenAsync(object request)
    {
        using var http = new HttpClient { BaseAddress = host.Web };
        using var response = await http.PostAsJsonAsync("/dev/token", request);
        var token = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString();
        return new Metadata { { "authorization", "Bearer " + token } };
    }
}
