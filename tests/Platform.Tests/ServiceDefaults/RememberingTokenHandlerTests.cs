using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Platform.Security;
using Xunit;

namespace Platform.Tests.ServiceDefaults;

/// <summary>The bearer handler's token handler remembers tokens it accepted, never ones it refused, and never past their lifetime.</summary>
public sealed class RememberingTokenHandlerTests
{
    private static readonly SymmetricSecurityKey Key = new(RandomNumberGenerator.GetBytes(32));

    private static TokenValidationParameters Parameters(SecurityKey key) => new()
    {
        ValidIssuer = TestTokens.Issuer,
        ValidAudience = TestTokens.Audience,
        IssuerSigningKey = key,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ClockSkew = TimeSpan.Zero,
    };

    private static string Token(SecurityKey key, DateTime expires, string alg = SecurityAlgorithms.HmacSha256) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = TestTokens.Issuer,
            Audience = TestTokens.Audience,
            Claims = new Dictionary<string, object> { ["sub"] = "alice" },
            NotBefore = DateTime.UtcNow.AddMinutes(-1),
            IssuedAt = DateTime.UtcNow.AddMinutes(-1),
            Expires = expires,
            SigningCredentials = new SigningCredentials(key, alg),
        });

    [Fact]
    public async Task A_token_accepted_once_is_accepted_again_with_its_claims()
    {
        var handler = new RememberingTokenHandler();
        var parameters = Parameters(Key);
        var token = Token(Key, DateTime.UtcNow.AddMinutes(5));

        var first = await handler.ValidateTokenAsync(token, parameters);
        var second = await handler.ValidateTokenAsync(token, parameters);

        Assert.Equal(1, handler.FullValidations);
        Assert.True(first.IsValid);
        Assert.True(second.IsValid);
        Assert.Equal("alice", second.ClaimsIdentity.FindFirst("sub")?.Value);
        Assert.NotSame(first.ClaimsIdentity, second.ClaimsIdentity);
    }

    [Fact]
    public async Task A_clone_of_the_parameters_finds_the_token_remembered()
    {
        // JwtBearer passes a clone of its parameters on each request: the token must be found again,
        // without being validated in full a second time.
        var handler = new RememberingTokenHandler();
        var parameters = Parameters(Key);
        var token = Token(Key, DateTime.UtcNow.AddMinutes(5));
        Assert.True((await handler.ValidateTokenAsync(token, parameters.Clone())).IsValid);

        var again = await handler.ValidateTokenAsync(token, parameters.Clone());

        Assert.True(again.IsValid);
        Assert.Equal("alice", again.ClaimsIdentity.FindFirst("sub")?.Value);
        Assert.Equal(1, handler.FullValidations);
        var otherAudience = parameters.Clone();
        otherAudience.ValidAudience = "another-api";
        Assert.False((await handler.ValidateTokenAsync(token, otherAudience)).IsValid);
    }

    [Fact]
    public async Task A_remembered_token_is_refused_once_it_has_expired()
    {
        var handler = new RememberingTokenHandler();
        var parameters = Parameters(Key);
        var token = Token(Key, DateTime.UtcNow.AddSeconds(2));

        Assert.True((await handler.ValidateTokenAsync(token, parameters)).IsValid);
        await Task.Delay(TimeSpan.FromSeconds(3));
        var later = await handler.ValidateTokenAsync(token, parameters);

        Assert.False(later.IsValid);
        Assert.IsType<SecurityTokenExpiredException>(later.Exception);
    }

    [Fact]
    public async Task New_validation_parameters_start_afresh()
    {
        var handler = new RememberingTokenHandler();
        var token = Token(Key, DateTime.UtcNow.AddMinutes(5));
        Assert.True((await handler.ValidateTokenAsync(token, Parameters(Key))).IsValid);

        // The key was rotated: the same token must be checked against the new key, and fail.
        var rotated = await handler.ValidateTokenAsync(token, Parameters(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32))));

        Assert.False(rotated.IsValid);
    }

    [Fact]
    public async Task A_refused_token_is_not_remembered_and_an_algorithm_not_accepted_is_named()
    {
        var handler = new RememberingTokenHandler();
        var parameters = Parameters(Key);
        var wrongKey = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32));
        var forged = Token(wrongKey, DateTime.UtcNow.AddMinutes(5));

        Assert.False((await handler.ValidateTokenAsync(forged, parameters)).IsValid);
        Assert.False((await handler.ValidateTokenAsync(forged, parameters)).IsValid);

        var hs512 = Token(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(64)), DateTime.UtcNow.AddMinutes(5), SecurityAlgorithms.HmacSha512);
        var refused = await handler.ValidateTokenAsync(hs512, parameters);
        Assert.IsType<SecurityTokenInvalidAlgorithmException>(refused.Exception);
        Assert.Equal("signature algorithm not accepted", refused.Exception.Message);

        var malformed = await handler.ValidateTokenAsync("not.a.jwt!", parameters);
        Assert.False(malformed.IsValid);
    }
}
