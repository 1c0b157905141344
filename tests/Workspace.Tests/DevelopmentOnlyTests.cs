using System.Net;
using Testing;

namespace Workspace.Tests;

/// <summary>The development identity provider signs anyone in as anyone: outside Development it is
/// never there, and asking for it stops the host.</summary>
public sealed class DevelopmentOnlyTests
{
    [Fact]
    public async Task Asked_for_in_Production_the_development_provider_stops_the_host_with_the_reason()
    {
        var (process, _, channel) = await WorkspaceHost.StartAsync("Production",
            new Dictionary<string, string> { ["DevelopmentIdentityProvider__Enabled"] = "true" }, waitUntilServing: false);
        await using (process)
        using (channel)
        {
            await process.WaitForOutputAsync("runs only in Development", TimeSpan.FromSeconds(60));
            for (var i = 0; i < 100 && process.IsRunning; i++)
            {
                await Task.Delay(100);
            }

            Assert.False(process.IsRunning, process.Tail());
        }
    }

    [Fact]
    public async Task In_Production_there_is_no_provider_and_the_workspace_says_sign_in_is_not_configured()
    {
        var (process, web, channel) = await WorkspaceHost.StartAsync("Production", new Dictionary<string, string> { ["Host__DemoData"] = "false" });
        await using (process)
        using (channel)
        using (var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = web })
        {
            foreach (var path in new[] { "/.well-known/openid-configuration", "/connect/authorize?client_id=wsis-gateway", "/dev/identity/login" })
            {
                using var response = await http.GetAsync(path);
                Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode}");
            }

            using var workspace = await http.GetAsync("/workspace");
            Assert.Equal(HttpStatusCode.Redirect, workspace.StatusCode);
            Assert.Equal("/signin", new Uri(web, workspace.Headers.Location!).AbsolutePath);
            using var signIn = await http.GetAsync(workspace.Headers.Location);
            Assert.Equal("/signin/failed", new Uri(web, signIn.Headers.Location!).AbsolutePath);
            var failed = await http.GetStringAsync("/signin/failed");
            Assert.Contains("Sign-in is not configured on this site", failed);
            Assert.DoesNotContain("development-identity", process.Output());
        }
    }
}
