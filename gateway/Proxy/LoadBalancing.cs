namespace Wsis.Gateway.Proxy;

public enum LoadBalancingPolicy
{
    PowerOfTwoChoices,
    RoundRobin,
    FirstAlphabetical,
    Random,
    LeastRequests,
}

public static class LoadBalancingPolicies
{
    public const string RoundRobin = "RoundRobin";
    public const string PowerOfTwoChoices = "PowerOfTwoChoices";
    public const string FirstAlphabetical = "FirstAlphabetical";
    public const string Random = "Random";
    public const string LeastRequests = "LeastRequests";

    /// <summary>The policy a configured name stands for (case-insensitive); unknown names get the default, PowerOfTwoChoices.</summary>
    public static LoadBalancingPolicy Parse(string? name) => name switch
    {
        _ when RoundRobin.Equals(name, StringComparison.OrdinalIgnoreCase) => LoadBalancingPolicy.RoundRobin,
        _ when FirstAlphabetical.Equals(name, StringComparison.OrdinalIgnoreCase) => LoadBalancingPolicy.FirstAlphabetical,
        _ when Random.Equals(name, StringComparison.OrdinalIgnoreCase) => LoadBalancingPolicy.Random,
        _ when LeastRequests.Equals(name, StringComparison.OrdinalIgnoreCase) => LoadBalancingPolicy.LeastRequests,
        _ => LoadBalancingPolicy.PowerOfTwoChoices,
    };

    /// <summary>Picks one of the available destinations (already filtered by health), as YARP's policies of the same names do.</summary>
    public static DestinationState Pick(ClusterState cluster, IReadOnlyList<DestinationState> available)
    {
        if (available.Count == 1)
        {
            return available[0];
        }
        switch (cluster.Policy)
        {
            case LoadBalancingPolicy.RoundRobin:
                return available[cluster.NextRoundRobin() % available.Count];
            case LoadBalancingPolicy.FirstAlphabetical:
                return available.MinBy(d => d.Name, StringComparer.Ordinal)!;
            case LoadBalancingPolicy.Random:
                return available[System.Random.Shared.Next(available.Count)];
            case LoadBalancingPolicy.LeastRequests:
                return available.MinBy(d => d.ConcurrentRequests)!;
            default:
                // PowerOfTwoChoices: two distinct random candidates, the less busy one wins.
                var first = System.Random.Shared.Next(available.Count);
                var second = System.Random.Shared.Next(available.Count - 1);
                if (second >= first)
                {
                    second++;
                }
                var a = available[first];
                var b = available[second];
                return a.ConcurrentRequests <= b.ConcurrentRequests ? a : b;
        }
    }
}
