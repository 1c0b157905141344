using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Wsis.Consultations.V1;

namespace Workspace.Tests;

/// <summary>An e-mail the Consultations service could not tie to a consultation waits in the
/// secretariat's workspace; nobody else sees that list.</summary>
[Collection(WorkspaceCollection.Name)]
public sealed class UnassignedEmailTests(WorkspaceHost host)
{
    [Fact]
    public async Task An_e_mail_to_an_unknown_address_is_listed_for_the_secretariat_only()
    {
        var subject = "Views on connectivity " + Guid.NewGuid().ToString("N")[..6];
        var raw = "From: Ana <ana@example.org>\r\nTo: nobody-known@consultations.example.org\r\nSubject: " + subject +
                  "\r\nMessage-ID: <" + Guid.NewGuid().ToString("N") + "@example.org>\r\nDate: Mon, 07 Dec 2026 10:00:00 +0000\r\n" +
                  "Content-Type: text/plain; charset=utf-8\r\n\r\nWhich consultation is this for?\r\n";
        await new Wsis.Consultations.V1.Consultations.ConsultationsClient(host.Channel).IngestEmailAsync(new IngestEmailRequest
        {
            RawMessage = ByteString.CopyFrom(Encoding.UTF8.GetBytes(raw)),
            Channel = Channel.Email,
            EnvelopeRecipient = "nobody-known@consultations.example.org",
        }, await SecretariatAsync());

        var page = await host.NewPageAsync();
        await WorkspaceHost.SignInAsync(page, "Ana Secretariat");
        Assert.Contains(subject, await page.GetByTestId("unassigned").InnerTextAsync());

        var stakeholder = await host.NewPageAsync();
        await WorkspaceHost.SignInAsync(stakeholder, "Eli Stakeholder (Community Networks Alliance)");
        Assert.Equal(0, await stakeholder.GetByTestId("unassigned").CountAsync());
        Assert.DoesNotContain(subject, await stakeholder.ContentAsync());
    }

    private async Task<Metadata> SecretariatAsync()
    {
        using var http = new HttpClient { BaseAddress = host.Web };
        using var response = await http.PostAsJsonAsync("/dev/token", new { sub = "unassigned-test-secretariat", roles = new[] { "secretariat" } });
        var token = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString();
        return new Metadata { { "authorization", "Bearer " + token } };
    }
}
