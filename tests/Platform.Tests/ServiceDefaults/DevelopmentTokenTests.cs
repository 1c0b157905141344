using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Configuration;
using Platform.Domain;
using Platform.Security;
using Platform.ServiceDefaults;
using Xunit;

namespace Platform.Tests.ServiceDefaults;

/// <summary>
/// POST /dev/token exists only in Development with Auth:DevelopmentTokens=true, and the tokens
/// it mints are accepted by the same service's bearer handler.
/// </summary>
public sealed class DevelopmentTokenTests
{
    private static Dictionary<string, string?> Configuration(bool flag)
    {
        var configuration = TestTokens.Configuration(TestTokens.NewSecret());
        configuration["Auth:DevelopmentTokens"] = flag ? "true" : "false";
        return configuration;
    }

    [Fact]
    public async Task In_Development_with_the_flag_a_minted_token_authenticates_with_its_claims()
    {
        await using var host = await TestWebHost.StartAsync(Configuration(true), "Development", b => b.AddBearerAuthentication());

        using var response = await host.Client.PostAsJsonAsync("/dev/token",
            new { sub = "ms-fr", name = "France", roles = new[] { "member-state" }, country = "fr" });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<DevelopmentTokenResponse>())!.Token;

        var me = await host.WhoAmIAsync(token);
        Assert.True(me.Authenticated);
        Assert.Equal("ms-fr", me.Subject);
        Assert.Equal("France", me.Name);
        Assert.Equal(["member-state"], me.Roles);
        Assert.Equal("FR", me.Country);
        Assert.True(me.InMemberStateRole);
    }

    [Fact]
    public async Task A_request_that_breaks_a_role_rule_gets_400_naming_the_field()
    {
        await using var host = await TestWebHost.StartAsync(Configuration(true), "Development", b => b.AddBearerAuthentication());

        using var response = await host.Client.PostAsJsonAsync("/dev/token",
            new { sub = "ms-x", roles = new[] { "member-state" } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await response.Content.ReadFromJsonAsync<DevelopmentTokenError>();
        Assert.Equal("country is required for the member-state role.", error!.Error);
    }

    [Fact]
    public async Task Without_the_flag_there_is_no_endpoint_even_in_Development()
    {
        await using var host = await TestWebHost.StartAsync(Configuration(false), "Development", b => b.AddBearerAuthentication());

        using var response = await host.Client.PostAsJsonAsync("/dev/token", new { sub = "x", roles = new[] { "secretariat" } });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Null(host.App.Services.GetService(typeof(DevelopmentTokenIssuer)));
    }

    [Fact]
    public async Task Outside_Development_the_flag_mints_nothing()
    {
        await using var host = await TestWebHost.StartAsync(Configuration(true), "Production", b => b.AddBearerAuthentication());

        using var response = await host.Client.PostAsJsonAsync("/dev/token", new { sub = "x", roles = new[] { "secretariat" } });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Null(host.App.Services.GetService(typeof(DevelopmentTokenIssuer)));
    }

    [Fact]
    public async Task A_token_from_the_issuer_expires()
    {
        var configuration = Configuration(true);
        var issuer = DevelopmentTokenIssuer.FromConfiguration(
            new ConfigurationBuilder().AddInMemoryCollection(configuration).Build(),
            new ShiftedClock(TimeSpan.FromHours(-2)));
        var token = issuer.Mint(new DevelopmentTokenRequest("old", null, [Role.Secretariat]), TimeSpan.FromHours(1));
        await using var host = await TestWebHost.StartAsync(configuration, "Development", b => b.AddBearerAuthentication());

        var me = await host.WhoAmIAsync(token);

        Assert.False(me.Authenticated);
        Assert.Equal("token expired", me.Failure);
    }

    [Fact]
    public void Development_tokens_need_an_HS256_secret()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(TestTokens.Configuration(TestTokens.SomeRsaPublicKeyPem())).Build();

        var error = Assert.Throws<InvalidOperationException>(() => DevelopmentTokenIssuer.FromConfiguration(configuration));

        Assert.Equal("Development tokens need a base64 HS256 secret in Auth:SigningKeys.", error.Message);
    }

    private sealed class ShiftedClock(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + shift;
    }
}
