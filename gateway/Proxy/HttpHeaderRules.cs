namespace Wsis.Gateway.Proxy;

/// <summary>Which headers travel through the proxy. Hop-by-hop headers (RFC 9110 §7.6.1) belong
/// to one connection and are dropped; HTTP/2 pseudo-headers are rebuilt by each side.</summary>
internal static class HttpHeaderRules
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
        "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host", "HTTP2-Settings",
    };

    public static bool IsHopByHop(string name) => name.StartsWith(':') || HopByHop.Contains(name);

    /// <summary>"TE: trailers" is the one TE value gRPC needs end to end (some servers insist on it).</summary>
    public static bool IsTeTrailers(string name, string? value) =>
        name.Equals("TE", StringComparison.OrdinalIgnoreCase) && string.Equals(value?.Trim(), "trailers", StringComparison.OrdinalIgnoreCase);
}
