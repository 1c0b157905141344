using System.Net.Http.Headers;
using Xunit;

namespace Gateway.Tests;

/// <summary>A token accepted before (its signature check remembered) does not make the gateway accept a token the handler would refuse.</summary>
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
    public async Task A_token_accepted_twice_does_not_let_bad_tokens_through_over_grpc()
    {
        _gateway = await GatewayHost.StartAsync(GatewayHost.Settings("RoundRobin", [("b1", _backend.Address)]));
        using var grpc = new GrpcTestClient(_gateway.GrpcAddress);
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
        Assert.Equal(16, otherKey.GrpcStatus);
        Assert.Equal(16, expired.GrpcStatus);
        Assert.Equal(16, forged.GrpcStatus);
        Assert.Equal(2, _backend.CallCount("Unary"));
    }
}
