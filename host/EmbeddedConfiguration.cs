using Platform.ServiceDefaults;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration.Memory;

namespace Wsis.Host;

/// <summary>
/// What the embedded host decides before the modules read configuration: a signing key generated
/// once per install (kept under ./data), the clusters the gateway's pages call (this process's own gRPC
/// endpoint), and the demonstration-data switch. Everything here sits below the user's own
/// configuration (appsettings, environment, command line), so an operator can override any of it.
/// </summary>
public static class EmbeddedConfiguration
{
    public const string NoDemoDataSwitch = "--no-demo-data";
    public const string DemoDataKey = "Host:DemoData";
    public const string SigningKeyFileName = "host-signing-key";


    /// <summary>The clusters the gateway's pages call the services through (<c>teams</c>, <c>consultations</c>, <c>reporting</c>).</summary>
    public static IReadOnlyList<string> ServiceClusters { get; } = ["teams", "consultations", "reporting"];

    /// <summary>Removes the host's own switches from the arguments (the command-line configuration
    /// provider would read <c>--no-demo-data</c> as a key waiting for a value).</summary>
    public static string[] TakeSwitches(string[] args, out bool noDemoData)
    {
        noDemoData = args.Contains(NoDemoDataSwitch, StringComparer.Ordinal);
        return args.Where(a => !string.Equals(a, NoDemoDataSwitch, StringComparison.Ordinal)).ToArray();
    }

    public static void Apply(WebApplicationBuilder builder, bool noDemoData)
    {
        var configuration = builder.Configuration;
        var defaults = new Dictionary<string, string?>();

        if (!configuration.GetSection("Auth:SigningKeys").Exists() && string.IsNullOrWhiteSpace(configuration["Auth:SigningKeys"]))
        {
            defaults["Auth:SigningKeys:0"] = InstallSigningKey(DataFolder());
        }

        // The consultation logs' checkpoint key: generated once and kept under ./data (Consultations' LogSigningKey)
        // unless the operator configures Consultations:Log:SigningKey.
        defaults["Consultations:Log:GenerateKey"] = "true";
        if (DevelopmentIdentity.DevelopmentIdentityProvider.IsEnabled(configuration, builder.Environment))
        {
            // People sign in at the gateway through the development provider of this process.
            DevelopmentIdentity.DevelopmentIdentityProvider.AddDefaults(configuration, defaults, DataFolder());
        }

        // No proxy routes: the services' gRPC methods and their JSON routes are mapped in this process
        // and answer directly. The pages' clients still go through clusters, here this process itself.
        var grpcAddress = GrpcAddress(configuration);
        foreach (var cluster in ServiceClusters)
        {
            defaults[$"ReverseProxy:Clusters:{cluster}:Destinations:self:Address"] = grpcAddress.ToString();
        }

        // Lowest priority: appsettings, environment variables and the command line all win.
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = defaults });

        if (noDemoData)
        {
            // Highest priority: the switch on the command line is the user's last word.
            configuration.AddInMemoryCollection(new Dictionary<string, string?> { [DemoDataKey] = "false" });
        }
    }

    /// <summary>The folder of the SQLite files and the signing key: ./data under the working directory.</summary>
    public static string DataFolder() =>
        Path.GetFullPath("data");

    /// <summary>Where this process serves gRPC (the Kestrel endpoint named Grpc), as a loopback address
    /// the JSON transcoder can call.</summary>
    public static Uri GrpcAddress(IConfiguration configuration) => LoopbackAddress(configuration, "Grpc");

    /// <summary>Where this process serves web pages and JSON (the Kestrel endpoint named Web).</summary>
    public static Uri WebAddress(IConfiguration configuration) => LoopbackAddress(configuration, "Web");

    private static Uri LoopbackAddress(IConfiguration configuration, string endpoint)
    {
        var url = configuration[$"Kestrel:Endpoints:{endpoint}:Url"]
            ?? throw new InvalidOperationException($"Kestrel:Endpoints:{endpoint}:Url is not configured.");
        // Wildcard hosts are where Kestrel listens, not where to call it.
        var normalised = url.Replace("://*", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://+", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://localhost", "://127.0.0.1", StringComparison.OrdinalIgnoreCase);
        if (!Uri.TryCreate(normalised, UriKind.Absolute, out var uri))
        {
            throw new InvalidOperationException($"Kestrel:Endpoints:{endpoint}:Url '{url}' is not a URL.");
        }

        if (uri.Port == 0)
        {
            throw new InvalidOperationException(
                $"Kestrel:Endpoints:{endpoint}:Url needs a fixed port: the embedded gateway calls the services at it.");
        }

        return new Uri(uri.GetLeftPart(UriPartial.Authority));
    }

    /// <summary>
    /// Reads the install's HS256 signing key, creating it on first start (32 random bytes, readable by
    /// the owner only), so development tokens survive restarts and no secret ships in configuration.
    /// </summary>
    public static string InstallSigningKey(string dataFolder) =>
        OwnerOnlyFile.ReadOrCreate(Path.Combine(dataFolder, SigningKeyFileName), () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
}
