using System.Security.Cryptography;

namespace Testing;

/// <summary>What a <see cref="ServiceCluster"/> runs.</summary>
public sealed record ServiceClusterOptions
{
    /// <summary>Consultations processes sharing one database (each with its own port).</summary>
    public int ConsultationsInstances { get; init; } = 2;

    public bool Teams { get; init; }

    /// <summary>The gateway, routing to every instance (needs <see cref="Teams"/> for its teams route to answer).</summary>
    public bool Gateway { get; init; }

    /// <summary>
    /// Each Consultations instance and Reporting reach RabbitMQ through a <see cref="TcpProxy"/> of
    /// their own (see <see cref="ServiceCluster.BrokerProxy"/>), so a test can cut one service off the broker.
    /// </summary>
    public bool BrokerProxies { get; init; }

    /// <summary>Called with each deployable's name (<c>consultations-1</c>, <c>reporting</c>, …) and environment before its first start.</summary>
    public Action<string, Dictionary<string, string>>? Configure { get; init; }
}

/// <summary>
/// The cluster mode as scripts/cluster.sh starts it, launched from C# so a test can kill, stop and
/// restart its parts: private PostgreSQL and RabbitMQ (the fixtures of this library), N Consultations
/// instances on one database, Reporting, and optionally Teams and the gateway, each its own process
/// from its build output (the test project must reference the services with
/// <c>ReferenceOutputAssembly="false"</c> so they are built), on free loopback ports, with bearer
/// tokens checked against a generated HS256 key (<see cref="SigningKey"/>; mint tokens with
/// Platform.Security's DevelopmentTokenIssuer and <see cref="Issuer"/>/<see cref="Audience"/>).
/// </summary>
public sealed class ServiceCluster : IAsyncDisposable
{
    private readonly List<DeployableProcess> _processes = [];
    private readonly Dictionary<DeployableProcess, int> _ports = [];
    private readonly Dictionary<string, TcpProxy> _brokerProxies = [];

    private ServiceCluster(ServiceClusterOptions options)
    {
        Options = options;
    }

    public ServiceClusterOptions Options { get; }
    public string Issuer => "wsis-cluster-test";
    public string Audience => "wsis";

    /// <summary>The HS256 secret every service accepts tokens signed with.</summary>
    public byte[] SigningKey { get; } = RandomNumberGenerator.GetBytes(32);

    public string Folder { get; } = Directory.CreateTempSubdirectory("wsis-cluster-").FullName;
    public PostgresCluster Postgres { get; private set; } = null!;
    public RabbitMqNode RabbitMq { get; private set; } = null!;
    public IReadOnlyList<DeployableProcess> Consultations { get; private set; } = [];
    public DeployableProcess Reporting { get; private set; } = null!;
    public DeployableProcess? Teams { get; private set; }
    public DeployableProcess? Gateway { get; private set; }

    /// <summary>Connection strings of the services' databases (for verification queries).</summary>
    public string ConsultationsDatabase { get; private set; } = "";
    public string ReportingDatabase { get; private set; } = "";

    /// <summary>The gateway's gRPC (HTTP/2) and web (HTTP/1.1) addresses, when it runs.</summary>
    public Uri? GatewayGrpc { get; private set; }
    public Uri? GatewayWeb { get; private set; }

    /// <summary>Starts everything and waits until every process listens.</summary>
    public static async Task<ServiceCluster> StartAsync(ServiceClusterOptions? options = null)
    {
        var cluster = new ServiceCluster(options ?? new ServiceClusterOptions());
        try
        {
            await cluster.StartCoreAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>http://127.0.0.1:port of a service process (its gRPC endpoint).</summary>
    public Uri Address(DeployableProcess process) => new($"http://127.0.0.1:{_ports[process]}");

    /// <summary>The proxy between <paramref name="process"/> and RabbitMQ (<see cref="ServiceClusterOptions.BrokerProxies"/>).</summary>
    public TcpProxy BrokerProxy(DeployableProcess process) =>
        _brokerProxies.TryGetValue(process.Name, out var proxy)
            ? proxy
            : throw new InvalidOperationException($"{process.Name} has no broker proxy: start the cluster with BrokerProxies = true.");

    /// <summary>Starts a killed or stopped process again (same port and settings) and waits until it listens.</summary>
    public async Task RestartAsync(DeployableProcess process, TimeSpan? timeout = null)
    {
        if (!process.IsRunning)
        {
            process.Start();
        }

        await process.WaitUntilListeningAsync(_ports[process], timeout ?? TimeSpan.FromSeconds(120));
    }

    private async Task StartCoreAsync()
    {
        var postgres = PostgresCluster.StartNewAsync();
        var rabbit = RabbitMqNode.StartNewAsync();
        Postgres = await postgres;
        RabbitMq = await rabbit;

        var key = Convert.ToBase64String(SigningKey);
        // One checkpoint key for every Consultations instance, as replicas share theirs.
        var logKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKeyPem();
        Dictionary<string, string> Environment(string name, int port, params (string Key, string Value)[] extra)
        {
            var broker = RabbitMq.ConnectionString;
            if (Options.BrokerProxies && name != "gateway")
            {
                var proxy = TcpProxy.Start(RabbitMq.Host, RabbitMq.Port);
                _brokerProxies[name] = proxy;
                broker = proxy.Rewrite(broker);
            }

            var environment = new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Database__Provider"] = "Postgres",
                ["ConnectionStrings__RabbitMq"] = broker,
                ["Auth__Issuer"] = Issuer,
                ["Auth__Audience"] = Audience,
                ["Auth__SigningKeys__0"] = key,
                ["Consultations__Log__SigningKey"] = logKey,
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
                ["Kestrel__Endpoints__Grpc__Url"] = $"http://127.0.0.1:{port}",
                ["Kestrel__Endpoints__Grpc__Protocols"] = "Http2",
            };
            foreach (var (k, v) in extra)
            {
                environment[k] = v;
            }

            Options.Configure?.Invoke(name, environment);
            return environment;
        }

        if (Options.Teams)
        {
            var port = FreePort.Next();
            Teams = Launch("teams", BuildOutput.Dll("deploy/Teams", "Teams"), port,
                Environment("teams", port, ("ConnectionStrings__Teams", await Postgres.CreateDatabaseAsync("teams"))));
        }

        ConsultationsDatabase = await Postgres.CreateDatabaseAsync("consultations");
        var consultations = new List<DeployableProcess>();
        for (var i = 1; i <= Options.ConsultationsInstances; i++)
        {
            var name = $"consultations-{i}";
            var port = FreePort.Next();
            var process = Launch(name, BuildOutput.Dll("deploy/Consultations", "Consultations"), port,
                Environment(name, port, ("ConnectionStrings__Consultations", ConsultationsDatabase)));
            consultations.Add(process);
            if (i == 1)
            {
                // The first instance migrates the shared database; the others start once it serves.
                await process.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(120));
            }
        }

        Consultations = consultations;
        ReportingDatabase = await Postgres.CreateDatabaseAsync("reporting");
        var reportingPort = FreePort.Next();
        Reporting = Launch("reporting", BuildOutput.Dll("deploy/Reporting", "Reporting"), reportingPort,
            Environment("reporting", reportingPort, ("ConnectionStrings__Reporting", ReportingDatabase)));

        if (Options.Gateway)
        {
            int webPort = FreePort.Next(), grpcPort = FreePort.Next();
            var routes = new List<(string, string)>
            {
                ("ASPNETCORE_URLS", ""),
                ("Kestrel__Endpoints__Web__Url", $"http://127.0.0.1:{webPort}"),
                ("Kestrel__Endpoints__Web__Protocols", "Http1"),
                ("ReverseProxy__Clusters__reporting__Destinations__d1__Address", Address(Reporting).ToString()),
                // Submissions in a test come from one address, faster than a person types.
                ("Gateway__RateLimits__Submissions__PermitLimit", "100000"),
            };
            if (Teams is not null)
            {
                routes.Add(("ReverseProxy__Clusters__teams__Destinations__d1__Address", Address(Teams).ToString()));
            }

            for (var i = 0; i < consultations.Count; i++)
            {
                routes.Add(($"ReverseProxy__Clusters__consultations__Destinations__d{i + 1}__Address", Address(consultations[i]).ToString()));
            }

            Gateway = Launch("gateway", BuildOutput.Dll("deploy/Gateway", "Gateway"), grpcPort, Environment("gateway", grpcPort, [.. routes]));
            GatewayGrpc = new Uri($"http://127.0.0.1:{grpcPort}");
            GatewayWeb = new Uri($"http://127.0.0.1:{webPort}");
        }

        foreach (var process in _processes)
        {
            await process.WaitUntilListeningAsync(_ports[process], TimeSpan.FromSeconds(120));
        }

        if (Gateway is not null)
        {
            await Gateway.WaitUntilHttpOkAsync(new Uri(GatewayWeb!, "/healthz").ToString(), TimeSpan.FromSeconds(60));
        }
    }

    private DeployableProcess Launch(string name, string dll, int port, Dictionary<string, string> environment)
    {
        var process = DeployableProcess.Start(name, dll, Path.Combine(Folder, name), environment);
        _processes.Add(process);
        _ports[process] = port;
        return process;
    }

    /// <summary>Every process's log tail, for a failure message.</summary>
    public string Logs(int characters = 3000) => string.Join("\n", _processes.Select(s => $"===== {s.Name}\n{s.Tail(characters)}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        foreach (var proxy in _brokerProxies.Values)
        {
            await proxy.DisposeAsync();
        }

        if (RabbitMq is not null)
        {
            await RabbitMq.DisposeAsync();
        }

        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
