using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Playwright;
using Wsis.Consultations.V1;

namespace Workspace.Tests;

/// <summary>An e-mail the Consultations service could not tie to a consultation waits in the
/// secretariat's workspace, with its sender, subject, size and the problems found reading it, until the
/// secretariat assigns it; nobody else sees that list.</summary>
[Collection(WorkspaceCollection.Name)]
public sealed class UnassignedEmailTests(WorkspaceHost host)
{
    [Fact]
    public async Task An_e_mail_to_an_unknown_address_is_listed_for_the_secretariat_only_with_what_it_decides_on_and_assigned_once()
    {
        var subject = "Views on connectivity " + Guid.NewGuid().ToString("N")[..6];
        // A quoted-printable body with a broken escape: kept as received, with the problem named.
        var raw = "From: Ana Respondent <ana@example.org>\r\nTo: nobody-known@consultations.example.org\r\nSubject: " + subject +
                  "\r\nMessage-ID: <" + Guid.NewGuid().ToString("N") + "@example.org>\r\nDate: " + DateTimeOffset.UtcNow.ToString("r", System.Globalization.CultureInfo.InvariantCulture) + "\r\n" +
                  "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nWhich consultation is this for? 100 =ZZ per cent.\r\n";
        var consultations = new Wsis.Consultations.V1.Consultations.ConsultationsClient(host.Channel);
        var secretariat = await SecretariatAsync();
        await consultations.IngestEmailAsync(new IngestEmailRequest
        {
            RawMessage = ByteString.CopyFrom(Encoding.UTF8.GetBytes(raw)),
            Channel = Channel.Email,
            EnvelopeRecipient = "nobody-known@consultations.example.org",
        }, secretariat);
        var size = Encoding.UTF8.GetByteCount(raw).ToString(System.Globalization.CultureInfo.InvariantCulture);

        var page = await host.NewPageAsync();
        await WorkspaceHost.SignInAsync(page, "Ana Secretariat");
        // The demonstration data's own e-mail that named no consultation waits there too.
        Assert.Contains("Our views on meaningful connectivity", await page.GetByTestId("unassigned").InnerTextAsync());
        var listed = page.GetByTestId("unassigned").Locator("li", new() { HasText = subject });
        var line = await listed.InnerTextAsync();
        Assert.Contains("Ana Respondent <ana@example.org>", line);
        Assert.Contains(size + " bytes", line);
        Assert.Contains("quoted-printable", line);

        await listed.GetByRole(AriaRole.Link).ClickAsync();
        var assignPath = new Uri(page.Url).AbsolutePath;
        Assert.Equal("Ana Respondent <ana@example.org>", await page.GetByTestId("sender").InnerTextAsync());
        Assert.Equal(subject, await page.GetByTestId("subject").InnerTextAsync());
        Assert.Equal(size + " bytes", await page.GetByTestId("size").InnerTextAsync());
        Assert.Contains("quoted-printable", await page.GetByTestId("problems").InnerTextAsync());
        await AccessibilityTests.AssertNoViolationsAsync(page, "the secretariat on an unassigned e-mail");
        await host.ScreenshotAsync(page, "assign-an-e-mail");

        // Assigned to the open demonstration consultation: received in time, it is published there. A second
        // post of the same rendering (a double click, a resent form) is answered as the first, not sent again.
        var open = (await consultations.ListConsultationsAsync(new ListConsultationsRequest { PageSize = 200 })).Consultations
            .Single(c => c.Title == "Meaningful connectivity (demonstration)");
        await page.Locator("#ConsultationId").SelectOptionAsync(new SelectOptionValue { Value = open.Id });
        var form = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = (await page.Locator("form[method='post'] input[name='__RequestVerificationToken']").Last.GetAttributeAsync("value"))!,
            ["RequestId"] = (await page.Locator("#RequestId").InputValueAsync()),
            ["ConsultationId"] = open.Id,
        };
        await page.GetByRole(AriaRole.Button, new() { Name = "Assign" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/workspace");
        Assert.Contains("assigned to Meaningful connectivity (demonstration)", await page.GetByTestId("done").InnerTextAsync());
        Assert.DoesNotContain(subject, await page.GetByTestId("unassigned").InnerTextAsync());
        var again = await page.Context.APIRequest.PostAsync(assignPath, new APIRequestContextOptions
        {
            Form = FormOf(page.Context.APIRequest, form),
            MaxRedirects = 0,
        });
        Assert.Equal(302, again.Status);
        Assert.Single((await consultations.ListResponsesAsync(new ListResponsesRequest { ConsultationId = open.Id, PageSize = 500 }, secretariat)).Responses, r => r.Subject == subject);

        var stakeholder = await host.NewPageAsync();
        await WorkspaceHost.SignInAsync(stakeholder, "Eli Stakeholder (Community Networks Alliance)");
        Assert.Equal(0, await stakeholder.GetByTestId("unassigned").CountAsync());
        Assert.DoesNotContain(subject, await stakeholder.ContentAsync());
    }

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
        using var response = await http.PostAsJsonAsync("/dev/token", new { sub = "unassigned-test-secretariat", roles = new[] { "secretariat" } });
        var token = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString();
        return new Metadata { { "authorization", "Bearer " + token } };
    }
}
