using System.Security.Cryptography;
using Grpc.Net.Client;
using Microsoft.IdentityModel.Tokens;
using Platform.Security;
using Testing;

namespace EndToEnd.Tests;

/// <summary>
/// The cluster mode as scripts/cluster.sh starts it, launched from C# so a test can kill and
/// restart its parts: private PostgreSQL and RabbitMQ (tests/Testing fixtures), Teams, two
/// Consultations instances, Reporting and the gateway, each its own process from its build output,
/// on free loopback ports. The Consultations processes run under libfaketime with a shared offset
/// file, so a test can move their clock past a consultation's deadline.
/// </summary>
public sealed class MissionCluster : IAsyncLifetime
{
    private const string Issuer = "wsis-e2e";
    private const string Audience = "wsis";
    private readonly string _signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly List<DeployableProcess> _services = [];

    public string Folder { get; } = Directory.CreateTempSubdirectory("wsis-e2e-").FullName;
    public PostgresCluster Postgres { get; private set; } = null!;
    public RabbitMqNode RabbitMq { get; private set; } = null!;
    public DeployableProcess Teams { get; private set; } = null!;
    public IReadOnlyList<DeployableProcess> Consultations { get; private set; } = [];
    public DeployableProcess Reporting { get; private set; } = null!;
    public DeployableProcess Gateway { get; private set; } = null!;
    public Uri GatewayWeb { get; private set; } = null!;
    public GrpcChannel Channel { get; private set; } = null!;

    /// <summary>The Consultations processes' clock offset (libfaketime reads it from this file).</summary>
    private string ClockFile => Path.Combine(Folder, "consultations-clock");

    public async Task InitializeAsync()
    {
        var faketime = new[] { "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1", "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1" }
            .FirstOrDefault(File.Exists) ?? throw new MissingDependencyException("libfaketime", "libfaketime");
        var postgres = PostgresCluster.StartNewAsync();
        var rabbit = RabbitMqNode.StartNewAsync();
        Postgres = await postgres;
        RabbitMq = await rabbit;
        await SetConsultationsClockAsync(TimeSpan.Zero);

        var common = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Database__Provider"] = "Postgres",
            ["ConnectionStrings__RabbitMq"] = RabbitMq.ConnectionString,
            ["Auth__Issuer"] = Issuer,
            ["Auth__Audience"] = Audience,
            ["Auth__SigningKeys__0"] = _signingKey,
            // One checkpoint key for every Consultations instance, as replicas share theirs.
            ["Consultations__Log__SigningKey"] = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKeyPem(),
        };

        Dictionary<string, string> ServiceEnvironment(int port, params (string Key, string Value)[] extra)
        {
            var environment = new Dictionary<string, string>(common)
            {
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
                ["Kestrel__Endpoints__Grpc__Url"] = $"http://127.0.0.1:{port}",
                ["Kestrel__Endpoints__Grpc__Protocols"] = "Http2",
            };
            foreach (var (key, value) in extra)
            {
                environment[key] = value;
            }

            return environment;
        }

        int teamsPort = FreePort.Next(), reportingPort = FreePort.Next(), webPort = FreePort.Next(), grpcPort = FreePort.Next();
        int[] consultationsPorts = [FreePort.Next(), FreePort.Next()];

        Teams = Launch("teams", BuildOutput.Dll("deploy/Teams", "Teams"),
            ServiceEnvironment(teamsPort, ("ConnectionStrings__Teams", await Postgres.CreateDatabaseAsync("teams"))));
        var consultationsDatabase = await Postgres.CreateDatabaseAsync("consultations");
        var consultations = new List<DeployableProcess>();
        for (var i = 0; i < consultationsPorts.Length; i++)
        {
            consultations.Add(Launch($"consultations-{i + 1}", BuildOutput.Dll("deploy/Consultations", "Consultations"),
                ServiceEnvironment(consultationsPorts[i],
                    ("ConnectionStrings__Consultations", consultationsDatabase),
                    ("Consultations__Closing__PollSeconds", "1"),
                    ("LD_PRELOAD", faketime),
                    ("FAKETIME_TIMESTAMP_FILE", ClockFile),
                    ("FAKETIME_CACHE_DURATION", "1"),
                    ("FAKETIME_DONT_FAKE_MONOTONIC", "1"),
                    // One log line per request, so a test can tell which instance served a call.
                    ("Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics", "Information"))));
            if (i == 0)
            {
                // The first instance migrates the shared database; the second starts once it serves.
                await consultations[0].WaitUntilListeningAsync(consultationsPorts[0], TimeSpan.FromSeconds(120));
            }
        }

        Consultations = consultations;
        Reporting = Launch("reporting", BuildOutput.Dll("deploy/Reporting", "Reporting"),
            ServiceEnvironment(reportingPort, ("ConnectionStrings__Reporting", await Postgres.CreateDatabaseAsync("reporting"))));

        var gateway = new Dictionary<string, string>(common)
        {
            ["ASPNETCORE_URLS"] = "",
            ["Kestrel__Endpoints__Web__Url"] = $"http://127.0.0.1:{webPort}",
            ["Kestrel__Endpoints__Web__Protocols"] = "Http1",
            ["Kestrel__Endpoints__Grpc__Url"] = $"http://127.0.0.1:{grpcPort}",
            ["Kestrel__Endpoints__Grpc__Protocols"] = "Http2",
            ["ReverseProxy__Clusters__teams__Destinations__d1__Address"] = $"http://127.0.0.1:{teamsPort}",
            ["ReverseProxy__Clusters__reporting__Destinations__d1__Address"] = $"http://127.0.0.1:{reportingPort}",
            ["ReverseProxy__Clusters__consultations__Destinations__d1__Address"] = $"http://127.0.0.1:{consultationsPorts[0]}",
            ["ReverseProxy__Clusters__consultations__Destinations__d2__Address"] = $"http://127.0.0.1:{consultationsPorts[1]}",
            // Submissions in a test come from one address, faster than a person types.
            ["Gateway__RateLimits__Submissions__PermitLimit"] = "1000",
        };
        Gateway = Launch("gateway", BuildOutput.Dll("deploy/Gateway", "Gateway"), gateway);

        foreach (var (process, port) in new[] { (Teams, teamsPort), (consultations[1], consultationsPorts[1]), (Reporting, reportingPort), (Gateway, grpcPort) })
        {
            await process.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(120));
        }

        GatewayWeb = new Uri($"http://127.0.0.1:{webPort}");
        await Gateway.WaitUntilHttpOkAsync(new Uri(GatewayWeb, "/healthz").ToString(), TimeSpan.FromSeconds(60));
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
    }

    private DeployableProcess Launch(string name, string dll, Dictionary<string, string> environment)
    {
        var process = DeployableProcess.Start(name, dll, Path.Combine(Folder, name), environment);
        _services.Add(process);
        return process;
    }

    /// <summary>Moves the Consultations processes' clock (libfaketime re-reads the file within a second).</summary>
    public async Task SetConsultationsClockAsync(TimeSpan offset)
    {
        await File.WriteAllTextAsync(ClockFile, $"{(offset < TimeSpan.Zero ? "-" : "+")}{Math.Abs((long)offset.TotalSeconds)}\n");
        await Task.Delay(TimeSpan.FromSeconds(1.5));
    }

    /// <summary>A bearer token signed with the cluster's key, as the organisation's identity provider would issue.
    /// Long-lived, because the Consultations clock runs ahead during a test.</summary>
    public string Token(string subject, string role, string? country = null, string? org = null)
    {
        var issuer = new DevelopmentTokenIssuer(Issuer, Audience, new SymmetricSecurityKey(Convert.FromBase64String(_signingKey)));
        return issuer.Mint(new DevelopmentTokenRequest(subject, subject, [role], country, org), TimeSpan.FromDays(365));
    }

    /// <summary>Every process's log tail, for a failure message.</summary>
    public string Logs() => string.Join("\n", _services.Select(s => $"===== {s.Name}\n{s.Tail(3000)}"));

    public async Task DisposeAsync()
    {
        Channel?.Dispose();
        foreach (var service in _services)
        {
            await service.DisposeAsync();
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
