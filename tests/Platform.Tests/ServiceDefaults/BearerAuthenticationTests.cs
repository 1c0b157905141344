using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;
using Platform.ServiceDefaults;
using Xunit;

namespace Platform.Tests.ServiceDefaults;

/// <summary>
/// The bearer handler in a real Kestrel host: what is accepted, what is rejected and with which
/// reason. Each rejection must leave the caller anonymous and make an [Authorize] endpoint 401.
/// </summary>
public sealed class BearerAuthenticationTests(BearerAuthenticationTests.KeysAndHost fixture)
    : IClassFixture<BearerAuthenticationTests.KeysAndHost>
{
    private readonly string _secret = fixture.Secret;
    private readonly string _rotatedSecret = fixture.RotatedSecret;
    private readonly RSA _rsa = fixture.Rsa;
    private readonly ECDsa _ec = fixture.Ec;
    private readonly TestWebHost _host = fixture.Host;

    /// <summary>One host for the class: two HS256 secrets, an RSA and an EC public key.</summary>
    public sealed class KeysAndHost : IAsyncLifetime
    {
        public string Secret { get; } = TestTokens.NewSecret();

        public string RotatedSecret { get; } = TestTokens.NewSecret();

        public RSA Rsa { get; } = RSA.Create(2048);

        public ECDsa Ec { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        public TestWebHost Host { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Host = await TestWebHost.StartAsync(
                TestTokens.Configuration(Secret, Rsa.ExportSubjectPublicKeyInfoPem(), Ec.ExportSubjectPublicKeyInfoPem(), RotatedSecret),
                configure: b => b.AddBearerAuthentication());
        }

        public async Task DisposeAsync()
        {
            await Host.DisposeAsync();
            Rsa.Dispose();
            Ec.Dispose();
        }
    }

    [Fact]
    public async Task A_valid_token_maps_subject_name_roles_country_and_org()
    {
        var token = TestTokens.Create(TestTokens.Hs256(_secret),
            TestTokens.Claims("ms-ch-1", new[] { "member-state", "stakeholder" }, country: "ch", org: "stk-42"));

        var me = await _host.WhoAmIAsync(token);

        Assert.True(me.Authenticated);
        Assert.Equal("ms-ch-1", me.Subject);
        Assert.Equal("Alice Example", me.Name);
        Assert.Equal(["member-state", "stakeholder"], me.Roles);
        Assert.Equal("CH", me.Country);
        Assert.Equal("stk-42", me.Org);
        Assert.True(me.InMemberStateRole);
        Assert.False(me.InSecretariatRole);
        Assert.Null(me.Failure);

        using var secure = await _host.GetSecureAsync(token);
        Assert.Equal(HttpStatusCode.OK, secure.StatusCode);
    }

    [Fact]
    public async Task A_single_string_role_is_one_role()
    {
        var token = TestTokens.Create(TestTokens.Hs256(_secret), TestTokens.Claims(roles: "secretariat"));

        var me = await _host.WhoAmIAsync(token);

        Assert.Equal(["secretariat"], me.Roles);
        Assert.True(me.InSecretariatRole);
    }

    [Fact]
    public async Task A_token_signed_with_a_later_key_of_the_list_is_accepted()
    {
        var me = await _host.WhoAmIAsync(TestTokens.Create(TestTokens.Hs256(_rotatedSecret)));

        Assert.True(me.Authenticated);
    }

    [Fact]
    public async Task An_RS256_token_verifies_against_an_RSA_PEM_key()
    {
        var credentials = new SigningCredentials(new RsaSecurityKey(_rsa), SecurityAlgorithms.RsaSha256);

        var me = await _host.WhoAmIAsync(TestTokens.Create(credentials, TestTokens.Claims(roles: new[] { "secretariat" })));

        Assert.True(me.Authenticated);
        Assert.True(me.InSecretariatRole);
    }

    [Fact]
    public async Task An_ES256_token_verifies_against_an_EC_PEM_key()
    {
        var credentials = new SigningCredentials(new ECDsaSecurityKey(_ec), SecurityAlgorithms.EcdsaSha256);

        var me = await _host.WhoAmIAsync(TestTokens.Create(credentials));

        Assert.True(me.Authenticated);
    }

    [Fact]
    public async Task No_token_leaves_the_caller_anonymous_and_protected_endpoints_challenge_with_a_problem_naming_what_is_missing()
    {
        var me = await _host.WhoAmIAsync(null);
        Assert.False(me.Authenticated);
        Assert.Null(me.Failure);
        Assert.Empty(me.Roles);

        using var secure = await _host.GetSecureAsync(null);
        Assert.Equal(HttpStatusCode.Unauthorized, secure.StatusCode);
        Assert.Equal("Bearer", secure.Headers.WwwAuthenticate.Single().ToString());
        var problem = await secure.Content.ReadAsStringAsync();
        Assert.Contains("\"UNAUTHENTICATED\"", problem);
        Assert.Contains("a bearer token is required", problem);
    }

    [Fact]
    public async Task An_expired_token_is_rejected()
    {
        var now = DateTime.UtcNow;
        var token = TestTokens.Create(TestTokens.Hs256(_secret), notBefore: now.AddMinutes(-20), expires: now.AddMinutes(-2));

        await AssertRejected(token, "token expired");
    }

    [Fact]
    public async Task A_token_expired_within_the_clock_skew_is_still_accepted()
    {
        var now = DateTime.UtcNow;
        var token = TestTokens.Create(TestTokens.Hs256(_secret), notBefore: now.AddMinutes(-20), expires: now.AddSeconds(-5));

        Assert.True((await _host.WhoAmIAsync(token)).Authenticated);
    }

    [Fact]
    public async Task A_token_accepted_before_is_rejected_once_it_expires_although_its_signature_check_is_remembered()
    {
        // Expired 27 s ago: inside the 30 s clock skew for about 3 s more.
        var expires = DateTime.UtcNow.AddSeconds(-27);
        var token = TestTokens.Create(TestTokens.Hs256(_secret), notBefore: expires.AddMinutes(-20), expires: expires);
        Assert.True((await _host.WhoAmIAsync(token)).Authenticated);
        Assert.True((await _host.WhoAmIAsync(token)).Authenticated);

        var pastSkew = expires.AddSeconds(30.5) - DateTime.UtcNow;
        if (pastSkew > TimeSpan.Zero)
        {
            await Task.Delay(pastSkew);
        }

        await AssertRejected(token, "token expired");
    }

    [Fact]
    public async Task A_token_not_yet_valid_is_rejected()
    {
        var now = DateTime.UtcNow;
        var token = TestTokens.Create(TestTokens.Hs256(_secret), notBefore: now.AddMinutes(5), expires: now.AddMinutes(20));

        await AssertRejected(token, "token not yet valid");
    }

    [Fact]
    public async Task A_token_without_expiry_is_rejected()
    {
        var key = Convert.FromBase64String(_secret);
        var payload = new Dictionary<string, object>
        {
            ["sub"] = "alice", ["iss"] = TestTokens.Issuer, ["aud"] = TestTokens.Audience,
        };
        var token = TestTokens.Raw(new { alg = "HS256", typ = "JWT" }, payload, input => HMACSHA256.HashData(key, input));

        await AssertRejected(token, "token has no expiry");
    }

    [Fact]
    public async Task A_token_from_another_issuer_is_rejected()
    {
        var token = TestTokens.Create(TestTokens.Hs256(_secret), issuer: "https://someone-else.test");

        await AssertRejected(token, "wrong issuer");
    }

    [Fact]
    public async Task A_token_for_another_audience_is_rejected()
    {
        var token = TestTokens.Create(TestTokens.Hs256(_secret), audience: "another-system");

        await AssertRejected(token, "wrong audience");
    }

    [Fact]
    public async Task A_token_signed_with_an_unknown_secret_is_rejected()
    {
        var token = TestTokens.Create(TestTokens.Hs256(TestTokens.NewSecret()));

        await AssertRejected(token, "invalid signature");
    }

    [Fact]
    public async Task A_token_whose_payload_was_altered_after_signing_is_rejected()
    {
        var token = TestTokens.Create(TestTokens.Hs256(_secret), TestTokens.Claims(roles: new[] { "stakeholder" }, org: "stk-1"));
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("stakeholder", "secretariat");
        var forged = $"{parts[0]}.{Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";

        await AssertRejected(forged, "invalid signature");
    }

    [Fact]
    public async Task An_unsigned_alg_none_token_is_rejected()
    {
        var token = TestTokens.Raw(new { alg = "none", typ = "JWT" }, TestTokens.StandardPayload());

        await AssertRejected(token, "signature algorithm not accepted");
    }

    [Fact]
    public async Task An_alg_none_token_with_a_signature_part_is_rejected()
    {
        var token = TestTokens.Raw(new { alg = "none", typ = "JWT" }, TestTokens.StandardPayload(), _ => [1, 2, 3]);

        await AssertRejected(token, "signature algorithm not accepted");
    }

    [Fact]
    public async Task An_HS256_token_keyed_with_the_RSA_public_key_is_rejected()
    {
        // Algorithm confusion: the attacker knows the public PEM and uses its bytes as an HMAC secret.
        var publicPem = Encoding.ASCII.GetBytes(_rsa.ExportSubjectPublicKeyInfoPem());
        var token = TestTokens.Raw(new { alg = "HS256", typ = "JWT" }, TestTokens.StandardPayload(),
            input => HMACSHA256.HashData(publicPem, input));

        await AssertRejected(token, "invalid signature");
    }

    [Fact]
    public async Task An_HS256_token_keyed_with_the_RSA_public_key_is_rejected_by_an_RSA_only_service()
    {
        await using var rsaOnly = await TestWebHost.StartAsync(
            TestTokens.Configuration(_rsa.ExportSubjectPublicKeyInfoPem()),
            configure: b => b.AddBearerAuthentication());
        var publicPem = Encoding.ASCII.GetBytes(_rsa.ExportSubjectPublicKeyInfoPem());
        var confused = TestTokens.Raw(new { alg = "HS256", typ = "JWT" }, TestTokens.StandardPayload(),
            input => HMACSHA256.HashData(publicPem, input));
        var genuine = TestTokens.Create(new SigningCredentials(new RsaSecurityKey(_rsa), SecurityAlgorithms.RsaSha256));

        var me = await rsaOnly.WhoAmIAsync(confused);

        Assert.False(me.Authenticated);
        Assert.Equal("signature algorithm not accepted", me.Failure);
        Assert.True((await rsaOnly.WhoAmIAsync(genuine)).Authenticated);
    }

    [Fact]
    public async Task A_token_without_a_subject_is_rejected()
    {
        var claims = new Dictionary<string, object> { ["name"] = "nobody", ["roles"] = new[] { "secretariat" } };
        var token = TestTokens.Create(TestTokens.Hs256(_secret), claims);

        await AssertRejected(token, "token has no subject");
    }

    [Fact]
    public async Task A_bearer_header_without_a_token_is_rejected()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/secure");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer");

        using var response = await _host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"empty bearer token\"",
            response.Headers.WwwAuthenticate.Single().ToString());
    }

    [Fact]
    public async Task Another_scheme_is_left_to_others_and_the_caller_stays_anonymous()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/whoami");
        request.Headers.TryAddWithoutValidation("Authorization", "Basic YWxpY2U6c2VjcmV0");

        using var response = await _host.Client.SendAsync(request);
        var me = await response.Content.ReadFromJsonAsync<WhoAmI>();

        Assert.False(me!.Authenticated);
        Assert.Null(me.Failure);
    }

    [Fact]
    public async Task Garbage_is_rejected_as_malformed()
    {
        await AssertRejected("not-a-jwt", "malformed token");
    }

    private async Task AssertRejected(string token, string reason)
    {
        var me = await _host.WhoAmIAsync(token);
        Assert.False(me.Authenticated);
        Assert.Empty(me.Roles);
        Assert.Equal(reason, me.Failure);

        using var secure = await _host.GetSecureAsync(token);
        Assert.Equal(HttpStatusCode.Unauthorized, secure.StatusCode);
        Assert.Equal($"Bearer error=\"invalid_token\", error_description=\"{reason}\"",
            secure.Headers.WwwAuthenticate.Single().ToString());
        // The body says the same short reason, and nothing of IdentityModel's own text.
        var problem = await secure.Content.ReadAsStringAsync();
        Assert.Contains($"bearer token rejected: {reason}", problem);
        Assert.DoesNotContain("IDX", problem);
    }
}
