using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Wsis.Gateway.Proxy;

/// <summary>One destination's live state. It survives configuration reloads as long as its
/// cluster, name and address stay the same, so a reload does not forget which one is down.</summary>
public sealed class DestinationState(string name, Uri address, Uri healthAddress)
{
    // Request URIs per path (gRPC paths are a small set: one per method); bounded so that
    // arbitrary paths cannot grow it without limit.
    private const int MaxCachedUris = 512;
    private readonly ConcurrentDictionary<string, Uri> _uris = new(StringComparer.Ordinal);
    private readonly string _baseAddress = address.GetLeftPart(UriPartial.Path).TrimEnd('/');
    private int _concurrentRequests;
    private long _passiveUnhealthyUntilTicks;
    private long _lastAnsweredTicks;

    public string Name { get; } = name;

    public Uri Address { get; } = address;

    public Uri HealthAddress { get; } = healthAddress;

    /// <summary>Result of the active probes; a destination not yet probed counts as healthy (YARP's "Unknown").</summary>
    public volatile bool ActiveHealthy = true;

    public int ConsecutiveProbeFailures;

    public int ConcurrentRequests => Volatile.Read(ref _concurrentRequests);

    public void RequestStarted() => Interlocked.Increment(ref _concurrentRequests);

    public void RequestEnded() => Interlocked.Decrement(ref _concurrentRequests);

    public bool PassivelyHealthy(DateTime utcNow) => utcNow.Ticks >= Interlocked.Read(ref _passiveUnhealthyUntilTicks);

    public void EjectUntil(DateTime utcUntil) => Interlocked.Exchange(ref _passiveUnhealthyUntilTicks, utcUntil.Ticks);

    /// <summary>Passive evidence of health: a forwarded call got an answer (response headers, status
    /// below 500) from this destination at that moment.</summary>
    public void ReportAnswered(DateTime utcNow)
    {
        // Written by every answered call: skip the store when the value is already this recent.
        if (utcNow.Ticks - Volatile.Read(ref _lastAnsweredTicks) > TimeSpan.TicksPerMillisecond * 100)
        {
            Volatile.Write(ref _lastAnsweredTicks, utcNow.Ticks);
        }
    }

    /// <summary>When a forwarded call was last answered by this destination (DateTime.MinValue: never).</summary>
    public DateTime LastAnswered => new(Volatile.Read(ref _lastAnsweredTicks), DateTimeKind.Utc);

    /// <summary>The destination's URI for a request path and query.</summary>
    public Uri RequestUri(PathString path, QueryString query)
    {
        var key = path.Value ?? "";
        if (!query.HasValue && _uris.TryGetValue(key, out var cached))
        {
            return cached;
        }
        var uri = new Uri(_baseAddress + path.ToUriComponent() + query.ToUriComponent());
        if (!query.HasValue && key.Length <= 256 && _uris.Count < MaxCachedUris)
        {
            _uris.TryAdd(key, uri);
        }
        return uri;
    }

    public Uri RequestUri(string path) => RequestUri(new PathString(path), QueryString.Empty);
}

public sealed class ClusterState
{
    private int _roundRobin = -1;

    public required string Name { get; init; }

    public required IReadOnlyList<DestinationState> Destinations { get; init; }

    public required string LoadBalancingPolicy { get; init; }

    public LoadBalancingPolicy Policy { get; init; }

    public ActiveHealthCheckConfig? ActiveHealthCheck { get; init; }

    public PassiveHealthCheckConfig? PassiveHealthCheck { get; init; }

    /// <summary>Failed probes in a row before a destination is marked unhealthy when the cluster's
    /// metadata does not say (YARP uses 2; one more here, because a probe that is merely slow under
    /// load must not take a destination out).</summary>
    public const int DefaultConsecutiveFailuresThreshold = 3;

    public int ConsecutiveFailuresThreshold { get; init; } = DefaultConsecutiveFailuresThreshold;

    /// <summary>Calls forwarded to a cluster at once when its metadata does not say
    /// (<c>MaxConcurrentRequests</c>; 0: no limit). Beyond it a call is refused at once with
    /// UNAVAILABLE, as Envoy's circuit breakers do: a burst then waits in its clients' retries,
    /// not in the gateway's memory (75,000 calls held at once took the gateway to 1.6 GB).</summary>
    public const int DefaultMaxConcurrentRequests = 5000;

    public int MaxConcurrentRequests { get; init; } = DefaultMaxConcurrentRequests;

    private int _callsInProgress;
    private long _refusedCalls;

    /// <summary>Counts a call in, unless the cluster is at <see cref="MaxConcurrentRequests"/>;
    /// each true must be matched by <see cref="ExitCall"/>.</summary>
    public bool TryEnterCall()
    {
        if (MaxConcurrentRequests <= 0)
        {
            return true;
        }
        if (Interlocked.Increment(ref _callsInProgress) <= MaxConcurrentRequests)
        {
            return true;
        }
        Interlocked.Decrement(ref _callsInProgress);
        return false;
    }

    public void ExitCall()
    {
        if (MaxConcurrentRequests > 0)
        {
            Interlocked.Decrement(ref _callsInProgress);
        }
    }

    /// <summary>Counts a refused call; returns how many so far.</summary>
    public long CountRefusal() => Interlocked.Increment(ref _refusedCalls);

    public required Version HttpVersion { get; init; }

    public required HttpVersionPolicy HttpVersionPolicy { get; init; }

    public int NextRoundRobin() => Interlocked.Increment(ref _roundRobin) & int.MaxValue;

    public bool ActiveChecksEnabled => ActiveHealthCheck?.Enabled == true;

    public bool PassiveChecksEnabled => PassiveHealthCheck?.Enabled == true;

    /// <summary>The destinations the health checks allow now (a new list).</summary>
    public List<DestinationState> AvailableDestinations(DateTime utcNow)
    {
        var available = new List<DestinationState>(Destinations.Count);
        foreach (var d in Destinations)
        {
            if (IsAvailable(d, utcNow))
            {
                available.Add(d);
            }
        }
        return available;
    }

    public bool IsAvailable(DestinationState d, DateTime utcNow) =>
        (!ActiveChecksEnabled || d.ActiveHealthy) && (!PassiveChecksEnabled || d.PassivelyHealthy(utcNow));

    /// <summary>The destinations available now, minus those already attempted; the configured list
    /// itself (no allocation) in the common case where all are available and none was attempted.</summary>
    public IReadOnlyList<DestinationState> AvailableDestinations(DateTime utcNow, List<DestinationState>? attempted)
    {
        if (attempted is null or { Count: 0 })
        {
            var all = true;
            foreach (var d in Destinations)
            {
                if (!IsAvailable(d, utcNow))
                {
                    all = false;
                    break;
                }
            }
            if (all)
            {
                return Destinations;
            }
        }
        var available = AvailableDestinations(utcNow);
        if (attempted is { Count: > 0 })
        {
            available.RemoveAll(attempted.Contains);
        }
        return available;
    }
}

public sealed class RouteState
{
    public required string Name { get; init; }

    public required string ClusterId { get; init; }

    public required RoutePath Path { get; init; }

    public int LiteralPrefixLength => Path.LiteralPrefixLength;

    public int Order { get; init; }

    public IReadOnlySet<string>? Methods { get; init; }

    public TimeSpan? Timeout { get; init; }

    public bool Matches(HttpRequest request) => Matches(request.Method, request.Path.Value ?? "/");

    public bool Matches(string method, string path) =>
        (Methods is null || Methods.Contains(method)) && Path.IsMatch(path);

    /// <summary>Turns a route template into an anchored pattern (see <see cref="RoutePath"/>). Kept deliberately small: YARP's
    /// full template syntax (constraints, defaults) is not needed for gRPC prefixes.</summary>
    public static (Regex Pattern, int LiteralPrefixLength) CompilePath(string template)
    {
        var pattern = new StringBuilder("^");
        var literalPrefix = -1;
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf('{', i);
            if (open < 0)
            {
                pattern.Append(Regex.Escape(template[i..]));
                break;
            }
            pattern.Append(Regex.Escape(template[i..open]));
            if (literalPrefix < 0)
            {
                literalPrefix = open;
            }
            var close = template.IndexOf('}', open);
            if (close < 0)
            {
                throw new FormatException($"route path '{template}' has an unclosed '{{'");
            }
            var parameter = template[(open + 1)..close];
            if (parameter.StartsWith('*'))
            {
                if (close != template.Length - 1)
                {
                    throw new FormatException($"route path '{template}': a catch-all parameter must be last");
                }
                // A catch-all matches the rest of the path, even nothing.
                if (pattern.Length > 1 && pattern[^1] == '/')
                {
                    pattern.Length--;
                    pattern.Append("(?:/.*)?");
                }
                else
                {
                    pattern.Append(".*");
                }
            }
            else
            {
                pattern.Append("[^/]+");
            }
            i = close + 1;
        }
        pattern.Append('$');
        return (new Regex(pattern.ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled),
            literalPrefix < 0 ? template.Length : literalPrefix);
    }
}

/// <summary>A compiled route template. A literal path, or a literal prefix followed by a catch-all
/// (every gRPC route: <c>/pkg.Service/{**rest}</c>), is compared as a string, with no regular
/// expression per request; other templates use the anchored pattern of <see cref="RouteState.CompilePath"/>.</summary>
public sealed class RoutePath
{
    private readonly string? _exact;
    private readonly string? _prefix;
    private readonly bool _prefixIsSegment;

    private RoutePath(Regex pattern, int literalPrefixLength, string? exact, string? prefix, bool prefixIsSegment)
    {
        Pattern = pattern;
        LiteralPrefixLength = literalPrefixLength;
        _exact = exact;
        _prefix = prefix;
        _prefixIsSegment = prefixIsSegment;
    }

    public Regex Pattern { get; }

    public int LiteralPrefixLength { get; }

    public static RoutePath Compile(string template)
    {
        var (pattern, literalPrefixLength) = RouteState.CompilePath(template);
        var open = template.IndexOf('{');
        if (open < 0)
        {
            return new RoutePath(pattern, literalPrefixLength, template, null, false);
        }
        var close = template.IndexOf('}', open);
        if (template[open + 1] == '*' && close == template.Length - 1)
        {
            var literal = template[..open];
            // "/a/{**rest}" matches "/a" and "/a/..."; "/a{**rest}" matches anything starting "/a".
            return literal.EndsWith('/') && literal.Length > 1
                ? new RoutePath(pattern, literalPrefixLength, null, literal[..^1], true)
                : new RoutePath(pattern, literalPrefixLength, null, literal, false);
        }
        return new RoutePath(pattern, literalPrefixLength, null, null, false);
    }

    public bool IsMatch(string path)
    {
        if (_exact is not null)
        {
            return path.Equals(_exact, StringComparison.OrdinalIgnoreCase);
        }
        if (_prefix is not null)
        {
            return path.StartsWith(_prefix, StringComparison.OrdinalIgnoreCase)
                && (!_prefixIsSegment || path.Length == _prefix.Length || path[_prefix.Length] == '/');
        }
        return Pattern.IsMatch(path);
    }
}

/// <summary>An immutable view of the configuration at one moment; requests take the current
/// snapshot once, so a reload never changes a call half-way.</summary>
public sealed class ProxySnapshot(IReadOnlyList<RouteState> routes, IReadOnlyDictionary<string, ClusterState> clusters)
{
    public IReadOnlyList<RouteState> Routes { get; } = routes;

    public IReadOnlyDictionary<string, ClusterState> Clusters { get; } = clusters;

    public RouteState? Match(HttpRequest request) => Match(request.Method, request.Path.Value ?? "/");

    public RouteState? Match(string method, string path)
    {
        foreach (var route in Routes)
        {
            if (route.Matches(method, path))
            {
                return route;
            }
        }
        return null;
    }
}

/// <summary>Holds the current <see cref="ProxySnapshot"/> and rebuilds it when
/// <see cref="IOptionsMonitor{T}"/> reports a change, so routes and destinations change without a restart.</summary>
public sealed partial class ProxyConfiguration : IDisposable
{
    private readonly ConcurrentDictionary<(string Cluster, string Destination, string Address), DestinationState> _destinations = new();
    private readonly ILogger<ProxyConfiguration> _logger;
    private readonly IDisposable? _subscription;
    private volatile ProxySnapshot _current;

    public ProxyConfiguration(IOptionsMonitor<ReverseProxyOptions> options, ILogger<ProxyConfiguration> logger)
    {
        _logger = logger;
        _current = Build(options.CurrentValue);
        _subscription = options.OnChange(o =>
        {
            _current = Build(o);
            LogReloaded(_logger, _current.Routes.Count, _current.Clusters.Count);
        });
    }

    public ProxySnapshot Current => _current;

    public void Dispose() => _subscription?.Dispose();

    private ProxySnapshot Build(ReverseProxyOptions options)
    {
        var clusters = new Dictionary<string, ClusterState>(StringComparer.OrdinalIgnoreCase);
        foreach (var (clusterId, config) in options.Clusters)
        {
            var destinations = new List<DestinationState>();
            foreach (var (name, destination) in config.Destinations.OrderBy(d => d.Key, StringComparer.Ordinal))
            {
                if (!Uri.TryCreate(destination.Address, UriKind.Absolute, out var address))
                {
                    LogInvalidDestination(_logger, clusterId, name);
                    continue;
                }
                var health = Uri.TryCreate(destination.Health, UriKind.Absolute, out var h) ? h : address;
                destinations.Add(_destinations.GetOrAdd((clusterId, name, address.AbsoluteUri),
                    _ => new DestinationState(name, address, health)));
            }
            var threshold = ClusterState.DefaultConsecutiveFailuresThreshold;
            if (config.Metadata?.TryGetValue("ConsecutiveFailuresHealthPolicy.Threshold", out var t) == true
                && int.TryParse(t, out var parsed) && parsed > 0)
            {
                threshold = parsed;
            }
            var maxConcurrent = ClusterState.DefaultMaxConcurrentRequests;
            if (config.Metadata?.TryGetValue("MaxConcurrentRequests", out var m) == true
                && int.TryParse(m, out var parsedMax) && parsedMax >= 0)
            {
                maxConcurrent = parsedMax;
            }
            clusters[clusterId] = new ClusterState
            {
                MaxConcurrentRequests = maxConcurrent,
                Name = clusterId,
                Destinations = destinations,
                LoadBalancingPolicy = string.IsNullOrWhiteSpace(config.LoadBalancingPolicy)
                    ? LoadBalancingPolicies.PowerOfTwoChoices
                    : config.LoadBalancingPolicy,
                ActiveHealthCheck = config.HealthCheck?.Active,
                PassiveHealthCheck = config.HealthCheck?.Passive,
                Policy = LoadBalancingPolicies.Parse(config.LoadBalancingPolicy),
                ConsecutiveFailuresThreshold = threshold,
                HttpVersion = config.HttpRequest?.Version is { } v && System.Version.TryParse(v.Contains('.') ? v : v + ".0", out var version)
                    ? version
                    : System.Net.HttpVersion.Version20,
                HttpVersionPolicy = config.HttpRequest?.VersionPolicy ?? HttpVersionPolicy.RequestVersionExact,
            };
        }

        var routes = new List<RouteState>();
        foreach (var (name, route) in options.Routes)
        {
            if (route.ClusterId is null || !clusters.ContainsKey(route.ClusterId))
            {
                LogUnknownCluster(_logger, name, route.ClusterId ?? "");
                continue;
            }
            if (string.IsNullOrEmpty(route.Match.Path))
            {
                LogRouteWithoutPath(_logger, name);
                continue;
            }
            try
            {
                var path = RoutePath.Compile(route.Match.Path);
                routes.Add(new RouteState
                {
                    Name = name,
                    ClusterId = route.ClusterId,
                    Path = path,
                    Order = route.Order ?? 0,
                    Methods = route.Match.Methods is { Count: > 0 } m ? new HashSet<string>(m, StringComparer.OrdinalIgnoreCase) : null,
                    Timeout = route.Timeout is { } timeout && timeout > TimeSpan.Zero ? timeout : null,
                });
            }
            catch (FormatException)
            {
                LogInvalidRoutePath(_logger, name);
            }
        }
        routes.Sort((a, b) => a.Order != b.Order ? a.Order.CompareTo(b.Order) : b.LiteralPrefixLength.CompareTo(a.LiteralPrefixLength));
        return new ProxySnapshot(routes, clusters);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reverse proxy configuration reloaded: {Routes} routes, {Clusters} clusters")]
    private static partial void LogReloaded(ILogger logger, int routes, int clusters);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cluster {Cluster}: destination {Destination} has no valid absolute Address; ignored")]
    private static partial void LogInvalidDestination(ILogger logger, string cluster, string destination);

    [LoggerMessage(Level = LogLevel.Error, Message = "Route {Route} names cluster '{Cluster}', which is not configured; route ignored")]
    private static partial void LogUnknownCluster(ILogger logger, string route, string cluster);

    [LoggerMessage(Level = LogLevel.Error, Message = "Route {Route} has no Match.Path; route ignored")]
    private static partial void LogRouteWithoutPath(ILogger logger, string route);

    [LoggerMessage(Level = LogLevel.Error, Message = "Route {Route} has an invalid Match.Path; route ignored")]
    private static partial void LogInvalidRoutePath(ILogger logger, string route);
}
