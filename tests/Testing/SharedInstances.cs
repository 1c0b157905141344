namespace Testing;

/// <summary>
/// One RabbitMQ node per test process (assembly), started on first use and stopped at process exit.
/// Tests that stop, kill or restart the broker start a private one with <see cref="RabbitMqNode.StartNewAsync"/>.
/// </summary>
public static class SharedRabbitMq
{
    private static readonly Lazy<Task<RabbitMqNode>> Node = new(() => StartShared(RabbitMqNode.StartNewAsync(), n => n.DisposeAsync()));

    public static Task<RabbitMqNode> GetAsync() => Node.Value;

    internal static async Task<T> StartShared<T>(Task<T> starting, Func<T, ValueTask> stop)
    {
        var instance = await starting;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stop(instance).AsTask().GetAwaiter().GetResult();
        return instance;
    }
}

/// <summary>
/// One PostgreSQL cluster per test process (assembly), started on first use and stopped at process exit.
/// Give each test its own database (<see cref="PostgresCluster.CreateDatabaseAsync"/>); tests that stop or
/// restart the server start a private cluster with <see cref="PostgresCluster.StartNewAsync"/>.
/// </summary>
public static class SharedPostgres
{
    private static readonly Lazy<Task<PostgresCluster>> Cluster = new(() => SharedRabbitMq.StartShared(PostgresCluster.StartNewAsync(), c => c.DisposeAsync()));

    public static Task<PostgresCluster> GetAsync() => Cluster.Value;
}
