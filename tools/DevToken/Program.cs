using Microsoft.Extensions.Configuration;
using Platform.Security;

// Mints a development token with the same issuer, audience and HS256 secret a service uses, so
// a developer can call the service from grpcurl, curl or a test client. Reads configuration the
// way a service does (JSON settings files, then Auth__* environment variables) and refuses to
// mint unless that configuration sets Auth:DevelopmentTokens=true.
const string Usage = """
    usage: dotnet run --project tools/DevToken -- [--settings <appsettings.json>]... --sub <id>
           [--name <display name>] [--role <role>]... [--country <ISO alpha-2>] [--org <stakeholder id>]
           [--hours <lifetime, default 12>]
    roles: secretariat, member-state (needs --country), coordinator (needs --org), stakeholder (needs --org)
    configuration: Auth:Issuer, Auth:Audience, Auth:SigningKeys (first base64 secret), Auth:DevelopmentTokens=true
    """;

var settings = new List<string>();
var roles = new List<string>();
string? sub = null, name = null, country = null, org = null;
var hours = DevelopmentTokenIssuer.DefaultLifetime.TotalHours;

try
{
    for (var i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
        switch (args[i])
        {
            case "--settings": settings.Add(Value()); break;
            case "--sub": sub = Value(); break;
            case "--name": name = Value(); break;
            case "--role": roles.Add(Value()); break;
            case "--country": country = Value(); break;
            case "--org": org = Value(); break;
            case "--hours":
                hours = double.TryParse(Value(), System.Globalization.CultureInfo.InvariantCulture, out var h) && h > 0
                    ? h
                    : throw new ArgumentException("--hours must be a positive number.");
                break;
            case "-h" or "--help":
                Console.WriteLine(Usage);
                return 0;
            default:
                throw new ArgumentException($"unknown option {args[i]}.");
        }
    }

    var builder = new ConfigurationBuilder();
    foreach (var file in settings)
    {
        builder.AddJsonFile(Path.GetFullPath(file), optional: false);
    }

    var configuration = builder.AddEnvironmentVariables().Build();
    if (!configuration.GetValue<bool>("Auth:DevelopmentTokens"))
    {
        throw new InvalidOperationException(
            "this configuration does not allow development tokens (Auth:DevelopmentTokens is not true).");
    }

    var issuer = DevelopmentTokenIssuer.FromConfiguration(configuration);
    Console.WriteLine(issuer.Mint(new DevelopmentTokenRequest(sub, name, roles, country, org), TimeSpan.FromHours(hours)));
    return 0;
}
catch (Exception e) when (e is ArgumentException or InvalidOperationException or FileNotFoundException)
{
    Console.Error.WriteLine($"dev-token: {e.Message}");
    Console.Error.WriteLine(Usage);
    return 2;
}
