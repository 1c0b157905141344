using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Testing;
using Xunit.Abstractions;

namespace BadInput.Tests;

/// <summary>
/// Every way a bearer token can be wrong, against a method of each service that needs one: each
/// is UNAUTHENTICATED with a short reason that says what is wrong and shows nothing of the inside
/// (no IdentityModel text, no token, no key). Partners call the services directly, so each service
/// checks for itself.
/// </summary>
[Collection(BadInputCollection.Name)]
public sealed class TokenDoorTests(BadInputCluster cluster, ITestOutputHelper output)
{
    private const int Unauthenticated = 16;

    private IEnumerable<(string Service, Uri Address, string Path)> Doors() =>
    [
        ("teams", cluster.TeamsAddress, "/teams.v1.Stakeholders/RegisterStakeholder"),
        ("consultations", cluster.ConsultationsAddress, "/consultations.v1.Consultations/ScheduleGroupMeeting"),
        ("reporting", cluster.ReportingAddress, "/reporting.v1.Reports/CompileReport"),
    ];

    /// <summary>The 22 variants: the authorization header values to send, and what the reason must say.</summary>
    private IEnumerable<(string Name, string[] Authorization, string Reason)> Variants()
    {
        var now = DateTime.UtcNow;
        using var foreignRsa = RSA.Create(2048);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var secret = new SymmetricSecurityKey(cluster.Secret);
        var hs256 = new SigningCredentials(secret, SecurityAlgorithms.HmacSha256);
        var good = Sign(hs256, Claims("sub-1"), now.AddMinutes(-1), now.AddMinutes(10));
        var (header, payload, signature) = Split(good);
        var publicPem = Encoding.ASCII.GetBytes(cluster.RsaKey.ExportSubjectPublicKeyInfoPem());
        var attacker = foreignRsa.ExportParameters(false);
        var attackerJwk = new Dictionary<string, string> { ["kty"] = "RSA", ["n"] = Base64Url(attacker.Modulus!), ["e"] = Base64Url(attacker.Exponent!) };

        yield return ("no token", [], "a bearer token is required");
        yield return ("expired", [Bearer(Sign(hs256, Claims("sub-1"), now.AddMinutes(-30), now.AddMinutes(-5)))], "token expired");
        yield return ("not yet valid", [Bearer(Sign(hs256, Claims("sub-1"), now.AddMinutes(5), now.AddMinutes(30)))], "token not yet valid");
        yield return ("no expiry", [Bearer(Sign(hs256, Claims("sub-1"), now.AddMinutes(-1), expires: null))], "token has no expiry");
        yield return ("wrong issuer", [Bearer(Sign(hs256, Claims("sub-1"), now.AddMinutes(-1), now.AddMinutes(10), issuer: "someone-else"))], "wrong issuer");
        yield return ("wrong audience", [Bearer(Sign(hs256, Claims("sub-1"), now.AddMinutes(-1), now.AddMinutes(10), audience: "another-api"))], "wrong audience");
        yield return ("no subject", [Bearer(Sign(hs256, Claims(null), now.AddMinutes(-1), now.AddMinutes(10)))], "token has no subject");
        yield return ("empty subject", [Bearer(Sign(hs256, Claims(""), now.AddMinutes(-1), now.AddMinutes(10)))], "token has no subject");
        yield return ("signed with another secret", [Bearer(Sign(new SigningCredentials(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)), SecurityAlgorithms.HmacSha256), Claims("sub-1"), now.AddMinutes(-1), now.AddMinutes(10)))], "invalid signature");
        yield return ("payload altered after signing", [Bearer($"{header}.{Base64Url(Encoding.UTF8.GetBytes(Decode(payload).Replace("\"stakeholder\"", "\"secretariat\"")))}.{signature}")], "invalid signature");
        yield return ("alg none, unsigned", [Bearer(Unsigned(Claims("sub-1"), now) + ".")], "signature algorithm not accepted");
        yield return ("alg none with a signature part", [Bearer(Unsigned(Claims("sub-1"), now) + "." + signature)], "signature algorithm not accepted");
        yield return ("HS256 keyed with the RSA public key", [Bearer(Sign(new SigningCredentials(new SymmetricSecurityKey(publicPem), SecurityAlgorithms.HmacSha256), Claims("sub-1"), now.AddMinutes(-1), now.AddMinutes(10)))], "invalid signature");
        yield return ("RS256 signed by a foreign key", [Bearer(Sign(new SigningCredentials(new RsaSecurityKey(foreignRsa), SecurityAlgorithms.RsaSha256), Claims("sub-1"), now.AddMinutes(-1), now.AddMinutes(10)))], "invalid signature");
        yield return ("RS256 carrying its own key (embedded jwk)", [Bearer(Sign(new SigningCredentials(new RsaSecurityKey(foreignRsa), SecurityAlgorithms.RsaSha256), Claims("sub-1"), now.AddMinutes(-1), now.AddMinutes(10), header: new Dictionary<string, object> { ["jwk"] = attackerJwk }))], "invalid signature");
        yield return ("ES256, a kind of key the services do not hold", [Bearer(Sign(new SigningCredentials(new ECDsaSecurityKey(ec), SecurityAlgorithms.EcdsaSha256), Claims("sub-1"), now.AddMinutes(-1), now.AddMinutes(10)))], "signature algorithm not accepted");
        yield return ("garbage", ["Bearer not.a.jwt"], "malformed token");
        yield return ("three parts that are not base64", [Bearer("@@@.###.$$$")], "malformed token");
        yield return ("another scheme", ["Basic " + Convert.ToBase64String(Encoding.ASCII.GetBytes("admin:admin"))], "a bearer token is required");
        yield return ("empty bearer", ["Bearer "], "empty bearer token");
        // HttpClient joins the two into one field ("Bearer a, Bearer b"), which reads as a malformed
        // token; a client that sends two fields is told "more than one authorization header".
        yield return ("two authorization headers", [Bearer(good), Bearer(good)], "bearer token rejected: ");
        yield return ("signed for the right audience by the right key, yet RS256 with the HS secret's bytes as an RSA key", [Bearer(TamperedAlgorithm(header, payload, "RS256", signature))], "invalid signature");
    }

    [Fact]
    public async Task Every_kind_of_bad_token_is_unauthenticated_with_a_short_safe_reason_on_every_service()
    {
        var variants = Variants().ToList();
        Assert.Equal(22, variants.Count);
        foreach (var (service, address, path) in Doors())
        {
            foreach (var (name, authorization, reason) in variants)
            {
                var request = RawHttp2.Request(new Uri(address, path).ToString(), new ByteArrayContent(new byte[5]));
                foreach (var value in authorization)
                {
                    request.Headers.TryAddWithoutValidation("authorization", value);
                }

                var (response, _) = await RawHttp2.SendAsync(cluster.Http2, request);
                using (response)
                {
                    var status = RawHttp2.Trailer(response, "grpc-status") ?? RawHttp2.Header(response, "grpc-status");
                    var message = Uri.UnescapeDataString(RawHttp2.Trailer(response, "grpc-message") ?? RawHttp2.Header(response, "grpc-message") ?? "");
                    output.WriteLine($"{service} {name}: {status} {message}");
                    Assert.True(status == Unauthenticated.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{service} {name}: HTTP {(int)response.StatusCode}, grpc-status {status} '{message}'");
                    Assert.Contains(reason, message);
                    Assert.True(message.Length <= 160, $"{service} {name}: reason too long: {message}");
                    Assert.DoesNotContain("IDX", message);
                    Clean.AssertNoInternals(message, $"{service} {name}");
                }
            }
        }

        await cluster.AssertIntactAsync();
    }

    [Fact]
    public async Task A_valid_RS256_token_is_accepted_beside_the_HS256_secret()
    {
        // The control for the variants above: the same door with a good token goes through to the method.
        var now = DateTime.UtcNow;
        var token = Sign(new SigningCredentials(new RsaSecurityKey(cluster.RsaKey), SecurityAlgorithms.RsaSha256), Claims("sub-rs"), now.AddMinutes(-1), now.AddMinutes(10));
        var teams = new Wsis.Teams.V1.Stakeholders.StakeholdersClient(Grpc.Net.Client.GrpcChannel.ForAddress(cluster.TeamsAddress));
        var registered = await teams.RegisterStakeholderAsync(new Wsis.Teams.V1.RegisterStakeholderRequest
        {
            Name = "RS256 Org",
            Category = Wsis.Teams.V1.StakeholderCategory.CivilSociety,
            CountryCode = "CH",
            ContactEmail = "rs256@example.org",
        }, BadInputCluster.Bearer(token));
        Assert.Equal("RS256 Org", registered.Name);
    }

    private Dictionary<string, object> Claims(string? subject)
    {
        var claims = new Dictionary<string, object> { ["name"] = "Tester", ["roles"] = new[] { "stakeholder" }, ["org"] = Guid.NewGuid().ToString() };
        if (subject is not null)
        {
            claims["sub"] = subject;
        }

        return claims;
    }

    private string Sign(SigningCredentials credentials, Dictionary<string, object> claims, DateTime notBefore, DateTime? expires,
        string? issuer = null, string? audience = null, IDictionary<string, object>? header = null)
    {
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer ?? cluster.Issuer,
            Audience = audience ?? cluster.Audience,
            Claims = claims,
            NotBefore = notBefore,
            IssuedAt = notBefore,
            Expires = expires,
            SigningCredentials = credentials,
            AdditionalHeaderClaims = header,
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    private string Unsigned(Dictionary<string, object> claims, DateTime now)
    {
        var body = new Dictionary<string, object>(claims)
        {
            ["iss"] = cluster.Issuer,
            ["aud"] = cluster.Audience,
            ["nbf"] = new DateTimeOffset(now.AddMinutes(-1)).ToUnixTimeSeconds(),
            ["exp"] = new DateTimeOffset(now.AddMinutes(10)).ToUnixTimeSeconds(),
        };
        return Base64Url(Encoding.UTF8.GetBytes("{\"alg\":\"none\",\"typ\":\"JWT\"}")) + "." + Base64Url(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(body)));
    }

    private static string TamperedAlgorithm(string header, string payload, string algorithm, string signature)
    {
        var fields = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Decode(header))!;
        var rewritten = fields.ToDictionary(f => f.Key, f => f.Key == "alg" ? (object)algorithm : f.Value);
        return $"{Base64Url(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(rewritten)))}.{payload}.{signature}";
    }

    private static string Bearer(string token) => "Bearer " + token;

    private static (string Header, string Payload, string Signature) Split(string token) =>
        token.Split('.') is [var h, var p, var s] ? (h, p, s) : throw new ArgumentException("not a JWS", nameof(token));

    private static string Decode(string part) => Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(part));

    private static string Base64Url(byte[] bytes) => Base64UrlEncoder.Encode(bytes);
}
