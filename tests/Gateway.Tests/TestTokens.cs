using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Tests;

/// <summary>HS256 tokens signed with the key the test gateway trusts (and with one it does not).</summary>
public static class TestTokens
{
    public const string Issuer = "wsis-test";
    public const string Audience = "wsis";
    public static readonly string SigningKey = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    public static string Mint(string sub, string role, string? key = null, DateTime? expires = null)
    {
        var bytes = Convert.FromBase64String(key ?? SigningKey);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Expires = expires ?? DateTime.UtcNow.AddMinutes(10),
            NotBefore = (expires ?? DateTime.UtcNow.AddMinutes(10)).AddMinutes(-20),
            IssuedAt = (expires ?? DateTime.UtcNow.AddMinutes(10)).AddMinutes(-20),
            Subject = new ClaimsIdentity([new Claim("sub", sub), new Claim("name", sub), new Claim("roles", role)]),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(bytes), SecurityAlgorithms.HmacSha256),
        });
    }

    public static string OtherKey => Convert.ToBase64String(Enumerable.Range(100, 32).Select(i => (byte)i).ToArray());
}
