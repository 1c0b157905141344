namespace Wsis.Gateway.Proxy;

// The configuration section "ReverseProxy", in YARP's own shape (Routes, Clusters, Destinations,
// Match, HealthCheck, LoadBalancingPolicy) so that Yarp.ReverseProxy can replace this forwarder
// by swapping the registration once its package restores here. Only the subset the gateway uses
// is modelled; unknown keys are ignored by the binder, as YARP would reject or use them.

public sealed class ReverseProxyOptions
{
    public const string SectionName = "ReverseProxy";

    public Dictionary<string, RouteConfig> Routes { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, ClusterConfig> Clusters { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

public sealed class RouteConfig
{
    public string? ClusterId { get; set; }

    public RouteMatch Match { get; set; } = new();

    /// <summary>Lower values are tried first; among equal orders, the longer literal prefix wins.</summary>
    public int? Order { get; set; }

    /// <summary>How long the whole proxied call may take (YARP's route Timeout); null means no limit.</summary>
    public TimeSpan? Timeout { get; set; }
}

public sealed class RouteMatch
{
    /// <summary>A route template: literals, <c>{name}</c> for one segment, <c>{**name}</c> or <c>{*name}</c> for the rest.</summary>
    public string? Path { get; set; }

    /// <summary>HTTP methods the route accepts; empty means all.</summary>
    public List<string>? Methods { get; set; }
}

public sealed class ClusterConfig
{
    /// <summary>RoundRobin, PowerOfTwoChoices (the default, as in YARP), FirstAlphabetical, Random or LeastRequests.</summary>
    public string? LoadBalancingPolicy { get; set; }

    public HealthCheckConfig? HealthCheck { get; set; }

    public Dictionary<string, DestinationConfig> Destinations { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public ForwarderRequestConfig? HttpRequest { get; set; }

    /// <summary>Free-form settings, e.g. <c>ConsecutiveFailuresHealthPolicy.Threshold</c> as YARP names it.</summary>
    public Dictionary<string, string>? Metadata { get; set; }
}

public sealed class HealthCheckConfig
{
    public ActiveHealthCheckConfig? Active { get; set; }

    public PassiveHealthCheckConfig? Passive { get; set; }
}

public sealed class ActiveHealthCheckConfig
{
    public bool Enabled { get; set; }

    public TimeSpan? Interval { get; set; }

    public TimeSpan? Timeout { get; set; }

    /// <summary>Only <c>ConsecutiveFailures</c> is implemented (YARP's default).</summary>
    public string? Policy { get; set; }

    /// <summary>The grpc.health.v1 service name to ask about; empty asks about the whole server.</summary>
    public string? Service { get; set; }
}

public sealed class PassiveHealthCheckConfig
{
    public bool Enabled { get; set; }

    /// <summary>Only <c>TransportFailure</c> is implemented: one transport failure ejects the destination.</summary>
    public string? Policy { get; set; }

    public TimeSpan? ReactivationPeriod { get; set; }
}

public sealed class DestinationConfig
{
    public string? Address { get; set; }

    /// <summary>A separate address for active health probes; defaults to <see cref="Address"/>.</summary>
    public string? Health { get; set; }
}

public sealed class ForwarderRequestConfig
{
    /// <summary>HTTP version spoken to destinations; "2" (h2c with prior knowledge) by default.</summary>
    public string? Version { get; set; }

    public HttpVersionPolicy? VersionPolicy { get; set; }
}
