using System.Net.Http.Headers;
using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Platform.Security;
using Wsis.Gateway.Edge;
using Xunit;

namespace Gateway.Tests;

/// <summary>The gateway's cache of validated bearer tokens never accepts what the handler would refuse.</summary>
public sealed class TokenCacheTests : IAsyncLifetime
{
    private GrpcTestBackend _backend = null!;
    private GatewayHost? _gateway;

    public async Task InitializeAsync() => _backend = await GrpcTestBackend.StartAsync("b1");

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task A_valid_token_is_validated_once_and_bad_tokens_are_still_refused_over_grpc()
    {
        _gateway = await GatewayHost.StartAsync(GatewayHost.Settings("RoundRobin", [("b1", _backend.Address)]));
        using var grpc = new GrpcTestClient(_gateway.GrpcAddress);
        var cache = _gateway.Services.GetRequiredService<ValidatedTokenCache>();
        var good = TestTokens.Mint("partner-1", "stakeholder");
        void Bearer(HttpRequestHeaders h, string token) => h.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var first = await grpc.UnaryAsync("/test.v1.Echo/Unary", "x", h => Bearer(h, good));
        var second = await grpc.UnaryAsync("/test.v1.Echo/Unary", "x", h => Bearer(h, good));
        var otherKey = await grpc.UnaryAsync("/test.v1.Echo/Unary", "x", h => Bearer(h, TestTokens.Mint("partner-1", "stakeholder", TestTokens.OtherKey)));
        var expired = await grpc.UnaryAsync("/test.v1.Echo/Unary", "x", h => Bearer(h, TestTokens.Mint("partner-1", "stakeholder", expires: DateTime.UtcNow.AddHours(-1))));
        // The cached token with one character of its signature changed is another string: judged afresh.
        var tampered = good[..^2] + (good[^2] == 'A' ? 'B' : 'A') + good[^1];
        var forged = await grpc.UnaryAsync("/test.v1.Echo/Unary", "x", h => Bearer(h, tampered));

        Assert.Equal(0, first.GrpcStatus);
        Assert.Equal(0, second.GrpcStatus);
        Assert.Equal(1, cache.Count);
        Assert.Equal(16, otherKey.GrpcStatus);
        Assert.Equal(16, expired.GrpcStatus);
        Assert.Equal(16, forged.GrpcStatus);
        Assert.Equal(2, _backend.CallCount("Unary"));
    }

    [Fact]
    public void An_entry_ends_at_the_token_expiry_and_when_the_signing_options_change()
    {
        var time = new ManualTime(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var options = new Options();
        var cache = new ValidatedTokenCache(options, time);
        var exp = time.GetUtcNow().AddMinutes(2).ToUnixTimeSeconds();
        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "s"), new Claim("exp", exp.ToString(System.Globalization.CultureInfo.InvariantCulture))], "Bearer"));

        cache.Add("Bearer t", principal);
        Assert.Same(principal, cache.TryGet("Bearer t"));
        time.Now = time.Now.AddMinutes(2);
        Assert.Null(cache.TryGet("Bearer t"));

        time.Now = time.Now.AddMinutes(-1);
        cache.Add("Bearer t", principal);
        Assert.Same(principal, cache.TryGet("Bearer t"));
        options.Current = new BearerTokenOptions();
        Assert.Null(cache.TryGet("Bearer t"));

        // A principal without an expiry is never kept.
        cache.Add("Bearer u", new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "s")], "Bearer")));
        Assert.Null(cache.TryGet("Bearer u"));
    }

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed class Options : IOptionsMonitor<BearerTokenOptions>
    {
        public BearerTokenOptions Current { get; set; } = new();

        public BearerTokenOptions CurrentValue => Current;

        public BearerTokenOptions Get(string? name) => Current;

        public IDisposable? OnChange(Action<BearerTokenOptions, string?> listener) => null;
    }
}
