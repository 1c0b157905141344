namespace Wsis.Gateway.Proxy;

public static class LoadBalancingPolicies
{
    public const string RoundRobin = "RoundRobin";
    public const string PowerOfTwoChoices = "PowerOfTwoChoices";
    public const string FirstAlphabetical = "FirstAlphabetical";
    public const string Random = "Random";
    public const string LeastRequests = "LeastRequests";

    /// <summary>Picks one of the available destinations (already filtered by health), as YARP's policies of the same names do.</summary>
    public static DestinationState Pick(ClusterState cluster, IReadOnlyList<DestinationState> available)
    {
        if (available.Count == 1)
        {
            return available[0];
        }
        switch (cluster.LoadBalancingPolicy)
        {
            case var p when p.Equals(RoundRobin, StringComparison.OrdinalIgnoreCase):
                return available[cluster.NextRoundRobin() % available.Count];
            case var p when p.Equals(FirstAlphabetical, StringComparison.OrdinalIgnoreCase):
                return available.MinBy(d => d.Name, StringComparer.Ordinal)!;
            case var p when p.Equals(Random, StringComparison.OrdinalIgnoreCase):
                return available[System.Random.Shared.Next(available.Count)];
            case var p when p.Equals(LeastRequests, StringComparison.OrdinalIgnoreCase):
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
