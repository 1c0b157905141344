using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using Platform.Security;
using Platform.ServiceDefaults;
using Xunit;

namespace Platform.Tests.ServiceDefaults;

/// <summary>
/// Auth:SigningKeys entries are recognised by their form, and a configuration mistake stops the
/// host at start with a message naming the entry, instead of rejecting every token later.
/// </summary>
public sealed class SigningKeyConfigurationTests
{
    [Fact]
    public void Each_entry_is_read_as_the_kind_of_key_it_is()
    {
        using var rsa = RSA.Create(2048);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        var keys = SigningKeyReader.Read([
            TestTokens.NewSecret(),
            rsa.ExportSubjectPublicKeyInfoPem(),
            rsa.ExportRSAPublicKeyPem(),
            ec.ExportSubjectPublicKeyInfoPem(),
        ]);

        Assert.IsType<SymmetricSecurityKey>(keys[0]);
        Assert.IsType<RsaSecurityKey>(keys[1]);
        Assert.IsType<RsaSecurityKey>(keys[2]);
        var ecKey = Assert.IsType<ECDsaSecurityKey>(keys[3]);
        Assert.Equal([SecurityAlgorithms.EcdsaSha384], SigningKeyReader.AlgorithmsFor(ecKey));
        Assert.Equal([SecurityAlgorithms.HmacSha256], SigningKeyReader.AlgorithmsFor(keys[0]));
    }

    [Fact]
    public void A_private_key_is_refused()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var error = Assert.Throws<InvalidOperationException>(() =>
            SigningKeyReader.Read([TestTokens.NewSecret(), ec.ExportPkcs8PrivateKeyPem()]));

        Assert.Equal("Auth:SigningKeys:1 holds a private key; configure the public key only.", error.Message);
    }

    [Fact]
    public void A_secret_shorter_than_256_bits_is_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            SigningKeyReader.Read([Convert.ToBase64String(new byte[16])]));

        Assert.Contains("Auth:SigningKeys:0", error.Message);
        Assert.Contains("at least 32 bytes", error.Message);
    }

    [Fact]
    public void Text_that_is_neither_base64_nor_PEM_is_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => SigningKeyReader.Read(["my password!"]));

        Assert.Equal("Auth:SigningKeys:0 is neither a PEM public key nor a base64 HS256 secret.", error.Message);
    }

    [Fact]
    public async Task A_host_with_an_unreadable_key_does_not_start()
    {
        var configuration = TestTokens.Configuration(TestTokens.NewSecret(), "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----");

        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            TestWebHost.StartAsync(configuration, configure: b => b.AddBearerAuthentication()));

        Assert.Contains("Auth:SigningKeys:1", MessagesOf(error));
    }

    [Fact]
    public async Task A_host_without_an_issuer_does_not_start()
    {
        var configuration = TestTokens.Configuration(TestTokens.NewSecret());
        configuration.Remove("Auth:Issuer");

        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            TestWebHost.StartAsync(configuration, configure: b => b.AddBearerAuthentication()));

        Assert.Contains("Auth:Issuer is not configured.", MessagesOf(error));
    }

    [Fact]
    public async Task A_single_key_given_as_a_plain_value_is_accepted()
    {
        // The shape an environment variable Auth__SigningKeys produces.
        var secret = TestTokens.NewSecret();
        var configuration = TestTokens.Configuration();
        configuration["Auth:SigningKeys"] = secret;
        await using var host = await TestWebHost.StartAsync(configuration, configure: b => b.AddBearerAuthentication());

        var me = await host.WhoAmIAsync(TestTokens.Create(TestTokens.Hs256(secret)));

        Assert.True(me.Authenticated);
    }

    private static string MessagesOf(Exception error)
    {
        var messages = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
        }

        if (error is AggregateException aggregate)
        {
            messages.AddRange(aggregate.Flatten().InnerExceptions.Select(e => e.Message));
        }

        return string.Join(" | ", messages);
    }
}
