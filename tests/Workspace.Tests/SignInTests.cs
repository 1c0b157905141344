using Microsoft.Playwright;

namespace Workspace.Tests;

/// <summary>Signing in at the gateway through the development identity provider (the full code flow
/// with PKCE, in a real browser), the workspace each role sees, and signing out.</summary>
[Collection(WorkspaceCollection.Name)]
public sealed class SignInTests(WorkspaceHost host)
{
    [Theory]
    [InlineData("Ana Secretariat", "secretariat", "Unassigned e-mails")]
    [InlineData("Bruno Focal Point (Switzerland)", "member-state · CH", "Open consultations of CWG-Internet")]
    [InlineData("Wanjiru Focal Point (Kenya)", "member-state · KE", "Open consultations of CWG-Internet")]
    [InlineData("Chen Coordinator (ITU)", "coordinator", "Teams you coordinate")]
    [InlineData("Dana Chair (UNESCO)", "coordinator", "Meetings you chair")]
    [InlineData("Eli Stakeholder (Community Networks Alliance)", "stakeholder", "Teams open to your organisation")]
    public async Task Each_role_signs_in_sees_what_it_can_do_and_signs_out(string person, string roles, string section)
    {
        var page = await host.NewPageAsync();
        await WorkspaceHost.SignInAsync(page, person);

        Assert.Equal(person, await page.GetByTestId("signed-in-as").InnerTextAsync());
        Assert.Contains(roles, await page.Locator(".workspace-nav").InnerTextAsync());
        Assert.Equal(1, await page.GetByRole(AriaRole.Heading, new() { Name = section, Exact = true }).CountAsync());
        await host.ScreenshotAsync(page, "workspace-" + roles.Split(' ')[0] + "-" + person.Split(' ')[0].ToLowerInvariant());

        // The public pages know the person is signed in, and lead back to the workspace.
        await page.GotoAsync("/teams");
        Assert.Equal(1, await page.GetByTestId("workspace-link").CountAsync());

        await page.GotoAsync("/workspace");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        Assert.Equal(0, await page.GetByTestId("workspace-link").CountAsync());

        // Signed out at the provider too: the workspace asks who you are again.
        await page.GotoAsync("/workspace");
        Assert.Contains("/dev/identity/login", page.Url);
    }

    [Fact]
    public async Task The_workspace_of_someone_not_signed_in_goes_to_the_provider_and_back_to_the_page_asked_for()
    {
        var page = await host.NewPageAsync();
        var response = await page.GotoAsync("/workspace");
        Assert.Contains("/dev/identity/login", page.Url);
        Assert.Equal(200, response!.Status);
        Assert.Equal("Sign in (development identity provider)", await page.Locator("h1").InnerTextAsync());
        await host.ScreenshotAsync(page, "development-provider-login");
    }
}
