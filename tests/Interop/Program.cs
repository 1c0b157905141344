using Interop;

// The interop server: `dotnet run --project tests/Interop -- --port N` (N = 0 picks a free port;
// the chosen one is printed as "Listening on port N").
// The project's own interop client: `... -- --client --server_port N --test_case NAME`.
var options = ParseArgs(args);
if (options.ContainsKey("client"))
{
    var port = int.Parse(options["server_port"], System.Globalization.CultureInfo.InvariantCulture);
    var host = options.GetValueOrDefault("server_host", "127.0.0.1");
    try
    {
        await InteropClient.RunAsync(new Uri($"http://{host}:{port}"), options["test_case"], serverChecksCompression: !options.ContainsKey("lenient_compression"));
        Console.WriteLine($"PASS {options["test_case"]}");
        return 0;
    }
    catch (Exception ex)
    {
        Console.Error.WriteLine($"FAIL {options["test_case"]}: {ex.Message}");
        return 1;
    }
}

var app = await InteropServer.StartAsync(int.Parse(options.GetValueOrDefault("port", "0"), System.Globalization.CultureInfo.InvariantCulture));
Console.WriteLine($"Listening on port {app.Port()}");
await app.WaitForShutdownAsync();
return 0;

static Dictionary<string, string> ParseArgs(string[] args)
{
    var result = new Dictionary<string, string>(StringComparer.Ordinal);
    for (var i = 0; i < args.Length; i++)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal)) continue;
        var arg = args[i][2..];
        var eq = arg.IndexOf('=');
        if (eq >= 0) result[arg[..eq]] = arg[(eq + 1)..];
        else if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) result[arg] = args[++i];
        else result[arg] = "true";
    }
    return result;
}
