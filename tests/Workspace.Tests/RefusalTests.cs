using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Core;
using Microsoft.Playwright;
using Wsis.Consultations.V1;
using Wsis.Reporting.V1;
using Wsis.Teams.V1;

namespace Workspace.Tests;

/// <summary>
/// Each role finds no control for what it may not do; the form posted anyway (with the page's
/// anti-forgery token and session cookie) comes back with the service's PERMISSION_DENIED and nothing
/// changes; the same post without the anti-forgery token is refused before any service sees it.
/// </summary>
[Collection(WorkspaceCollection.Name)]
public sealed class RefusalTests(WorkspaceHost host)
{
    public const string DemonstrationMeetingVenue = "Geneva, ITU headquarters (demonstration)";

    /// <summary>What one role may not do: where its control would be, the post, the service's reason, and
    /// whether the post changed anything.</summary>
    private sealed record Refusal(string ControlPage, AriaRole ControlRole, string Control, string Path, Dictionary<string, string> Fields, string Reason, Func<Task<bool>> Changed);

    [Theory]
    [InlineData("Ana Secretariat", "file a national report")]
    [InlineData("Bruno Focal Point (Switzerland)", "schedule a meeting of the group")]
    [InlineData("Chen Coordinator (ITU)", "set the framework of a meeting it does not chair")]
    [InlineData("Chen Coordinator (ITU)", "compile a report")]
    [InlineData("Dana Chair (UNESCO)", "convene the meeting of coordinators")]
    [InlineData("Eli Stakeholder (Community Networks Alliance)", "take another organisation out of a team")]
    public async Task A_role_finds_no_control_for_what_it_may_not_do_and_the_form_posted_anyway_is_refused(string person, string action)
    {
        var refusal = await RefusalAsync(action, Guid.NewGuid().ToString("N")[..8]);
        var page = await host.NewPageAsync();
        await WorkspaceHost.SignInAsync(page, person, refusal.ControlPage);
        Assert.Equal(0, await page.GetByRole(refusal.ControlRole, new() { Name = refusal.Control }).CountAsync());

        var token = await page.Locator("form[action='/workspace/signout'] input[name='__RequestVerificationToken']").GetAttributeAsync("value");
        var refused = await page.Context.APIRequest.PostAsync(refusal.Path, new APIRequestContextOptions
        {
            Form = FormOf(page.Context.APIRequest, new Dictionary<string, string>(refusal.Fields) { ["__RequestVerificationToken"] = token!, ["RequestId"] = Guid.NewGuid().ToString("N") }),
            MaxRedirects = 0,
        });
        Assert.Equal(403, refused.Status);
        Assert.Contains(refusal.Reason, WebUtility.HtmlDecode(await refused.TextAsync()));
        Assert.False(await refusal.Changed(), $"{person} could {action}");

        var forged = await page.Context.APIRequest.PostAsync(refusal.Path, new APIRequestContextOptions
        {
            Form = FormOf(page.Context.APIRequest, new Dictionary<string, string>(refusal.Fields) { ["RequestId"] = Guid.NewGuid().ToString("N") }),
            MaxRedirects = 0,
        });
        Assert.Equal(400, forged.Status);
        Assert.False(await refusal.Changed(), $"{person} could {action} without an anti-forgery token");
    }

    [Fact]
    public async Task A_stakeholder_leaves_a_team_and_a_double_click_leaves_it_once()
    {
        var secretariat = await SecretariatAsync();
        var team = await Teams().CreateTeamAsync(new CreateTeamRequest { ActionLineCode = "C9", RequestId = "workspace-test-c9" }, secretariat);
        var network = await StakeholderAsync("Community Networks Alliance (demonstration)");
        await Teams().JoinTeamAsync(new JoinTeamRequest { TeamId = team.Id, StakeholderId = network.Id, RequestId = "workspace-test-c9-join" }, secretariat);

        var page = await host.NewPageAsync();
        await WorkspaceHost.SignInAsync(page, "Eli Stakeholder (Community Networks Alliance)");
        await page.GetByTestId("joined").Locator("li", new() { HasText = "C9" }).GetByRole(AriaRole.Link, new() { Name = "Leave" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Leave for my organisation" }).DblClickAsync();
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
        Assert.Contains("left the team C9", await page.GetByTestId("done").InnerTextAsync());
        Assert.DoesNotContain("C9", await page.GetByTestId("joined").InnerTextAsync());
        Assert.DoesNotContain((await Teams().GetTeamAsync(new GetTeamRequest { Id = team.Id })).Members, m => m.StakeholderId == network.Id);
    }

    private async Task<Refusal> RefusalAsync(string action, string marker)
    {
        var consultations = new Wsis.Consultations.V1.Consultations.ConsultationsClient(host.Channel);
        var meetings = new CoordinatorsMeetings.CoordinatorsMeetingsClient(host.Channel);
        switch (action)
        {
            case "file a national report":
                return new("/workspace", AriaRole.Link, "File the national implementation report", "/workspace/national-report",
                    new() { ["Year"] = WorkspaceClock.Year.ToString(System.Globalization.CultureInfo.InvariantCulture), ["Text"] = "The secretariat tries " + marker },
                    "SubmitNationalReport may be called only by",
                    async () => (await new Stocktaking.StocktakingClient(host.Channel).ListNationalReportsAsync(new ListNationalReportsRequest { Year = WorkspaceClock.Year })).Reports.Any(r => r.Text.Contains(marker, StringComparison.Ordinal)));
            case "schedule a meeting of the group":
                return new("/workspace", AriaRole.Link, "Schedule a meeting of CWG-Internet", "/workspace/group-meetings/schedule",
                    new() { ["StartsOn"] = WorkspaceClock.Iso(WorkspaceClock.GenevaToday.AddMonths(6)), ["Venue"] = "Refused " + marker },
                    "ScheduleGroupMeeting may be called only by",
                    async () => (await consultations.ListGroupMeetingsAsync(new ListGroupMeetingsRequest { PageSize = 200 })).Meetings.Any(m => m.Venue.Contains(marker, StringComparison.Ordinal)));
            case "set the framework of a meeting it does not chair":
            {
                var meeting = await DemonstrationMeetingAsync(meetings);
                return new($"/workspace/coordinators-meetings/{meeting.Id}", AriaRole.Button, "Set the framework", $"/workspace/coordinators-meetings/{meeting.Id}?handler=Framework",
                    new() { ["Framework"] = "Refused " + marker },
                    "set the implementation framework",
                    async () => (await DemonstrationMeetingAsync(meetings)).ImplementationFramework.Contains(marker, StringComparison.Ordinal));
            }

            case "compile a report":
            {
                // Chen's organisation (ITU) is no officer of the meeting: Reporting refuses the draft.
                var start = WorkspaceClock.GenevaToday.AddDays(-100 - Random.Shared.Next(3000));
                var secretariat = await SecretariatAsync();
                return new("/workspace", AriaRole.Link, "Compile a report", "/workspace/reports/compile",
                    new() { ["PeriodStart"] = WorkspaceClock.Iso(start), ["PeriodEnd"] = WorkspaceClock.Iso(WorkspaceClock.GenevaToday) },
                    "only the chair or a vice-chair of the coordinators",
                    async () => (await new Reports.ReportsClient(host.Channel).ListReportsAsync(new ListReportsRequest { PageSize = 200 }, secretariat)).Reports
                        .Any(r => r.PeriodStart == WorkspaceClock.Iso(start)));
            }

            case "convene the meeting of coordinators":
                return new("/workspace", AriaRole.Link, "Convene the meeting of coordinators", "/workspace/coordinators-meetings/convene",
                    new()
                    {
                        ["StartsAt"] = DateTime.UtcNow.Date.AddDays(100).AddHours(9).ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture),
                        ["Venue"] = "Refused " + marker, ["CurrencyCode"] = "CHF", ["ItuAmount"] = "100", ["UnescoAmount"] = "100", ["ViceChairSeats"] = "1",
                    },
                    "ConveneCoordinatorsMeeting may be called only by",
                    async () => (await meetings.ListCoordinatorsMeetingsAsync(new ListCoordinatorsMeetingsRequest { PageSize = 200 })).Meetings.Any(m => m.Venue.Contains(marker, StringComparison.Ordinal)));
            case "take another organisation out of a team":
            {
                var c2 = (await Teams().ListTeamsAsync(new ListTeamsRequest())).Teams.Single(t => t.ActionLineCode == "C2");
                var itu = await StakeholderAsync("International Telecommunication Union");
                return new($"/workspace/teams/{c2.Id}/leave", AriaRole.Combobox, "Member leaving the team", $"/workspace/teams/{c2.Id}/leave",
                    new() { ["StakeholderId"] = itu.Id },
                    "a stakeholder may leave a team only for itself",
                    async () => (await Teams().GetTeamAsync(new GetTeamRequest { Id = c2.Id })).Members.All(m => m.StakeholderId != itu.Id));
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(action), action, "no such refusal");
        }
    }

    private static async Task<CoordinatorsMeeting> DemonstrationMeetingAsync(CoordinatorsMeetings.CoordinatorsMeetingsClient meetings) =>
        (await meetings.ListCoordinatorsMeetingsAsync(new ListCoordinatorsMeetingsRequest { PageSize = 200 })).Meetings.Single(m => m.Venue == DemonstrationMeetingVenue);

    private async Task<Stakeholder> StakeholderAsync(string name) =>
        (await new Stakeholders.StakeholdersClient(host.Channel).ListStakeholdersAsync(new ListStakeholdersRequest { PageSize = 200 })).Stakeholders.First(s => s.Name == name);

    private Wsis.Teams.V1.Teams.TeamsClient Teams() => new(host.Channel);

    private static IFormData FormOf(IAPIRequestContext request, Dictionary<string, string> fields)
    {
        var form = request.CreateFormData();
        foreach (var (name, value) in fields)
        {
            form.Set(name, value);
        }

        return form;
    }

    private async Task<Metadata> SecretariatAsync()
    {
        using var http = new HttpClient { BaseAddress = host.Web };
        using var response = await http.PostAsJsonAsync("/dev/token", new { sub = "refusal-test-secretariat", roles = new[] { "secretariat" } });
        var token = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString();
        return new Metadata { { "authorization", "Bearer " + token } };
    }
}
