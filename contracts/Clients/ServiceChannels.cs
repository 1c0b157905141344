using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;

namespace Wsis.Contracts.Clients;

/// <summary>
/// How the project's own clients (the gateway's pages, the mail tool, the embedded host's
/// demonstration data, tests and benchmarks) call the services: a channel whose service config
/// retries UNAVAILABLE — the status a service answers when its database or broker is away, when
/// it is stopping, or when the connection could not be made — on the calls that are safe to
/// repeat: reads (<c>Get*</c>, <c>List*</c>) and writes whose request carries a <c>request_id</c>
/// (the service returns the first result to a repeat). Other writes are never retried. Since issue 28
/// every write of the three APIs has the field, so every method is retried: the policy is per method, not
/// per call, and a caller that leaves request_id empty on a write may see it act twice when an attempt's
/// answer was lost; the project's own callers (the gateway's forms, the mail tool, the demonstration
/// data) always set one.
/// </summary>
public static class ServiceChannels
{
    /// <summary>The retry policy of <see cref="RetryConfig"/>: up to 4 attempts, 0.2 s to 2 s apart (with jitter, grpc-dotnet's own).</summary>
    public static RetryPolicy RetryPolicy() => new()
    {
        MaxAttempts = 4,
        InitialBackoff = TimeSpan.FromMilliseconds(200),
        MaxBackoff = TimeSpan.FromSeconds(2),
        BackoffMultiplier = 2,
        RetryableStatusCodes = { StatusCode.Unavailable },
    };

    /// <summary>The public APIs: teams.v1, consultations.v1, reporting.v1.</summary>
    public static IReadOnlyList<FileDescriptor> Apis { get; } =
    [
        Wsis.Teams.V1.TeamsReflection.Descriptor,
        Wsis.Consultations.V1.ConsultationsReflection.Descriptor,
        Wsis.Reporting.V1.ReportingReflection.Descriptor,
    ];

    /// <summary>The safe-to-repeat methods of these APIs.</summary>
    public static IEnumerable<MethodDescriptor> SafeToRepeat(IEnumerable<FileDescriptor> apis) =>
        apis.SelectMany(f => f.Services).SelectMany(s => s.Methods)
            .Where(m => m.Name.StartsWith("Get", StringComparison.Ordinal) || m.Name.StartsWith("List", StringComparison.Ordinal)
                || m.InputType.FindFieldByName("request_id") is not null);

    /// <summary>A service config retrying UNAVAILABLE on <see cref="SafeToRepeat"/> methods of <paramref name="apis"/> (default: <see cref="Apis"/>).</summary>
    public static ServiceConfig RetryConfig(IEnumerable<FileDescriptor>? apis = null)
    {
        var config = new MethodConfig { RetryPolicy = RetryPolicy() };
        foreach (var method in SafeToRepeat(apis ?? Apis))
        {
            config.Names.Add(new MethodName { Service = method.Service.FullName, Method = method.Name });
        }

        return new ServiceConfig { MethodConfigs = { config } };
    }

    /// <summary>A channel to <paramref name="address"/> with <see cref="RetryConfig"/> for the public APIs (options given are kept; their service config is replaced).</summary>
    public static GrpcChannel ForAddress(string address, GrpcChannelOptions? options = null)
    {
        options ??= new GrpcChannelOptions();
        options.ServiceConfig = RetryConfig();
        // A service that restarted is tried again within seconds (grpc-dotnet's default waits up to 2 minutes).
        options.MaxReconnectBackoff = TimeSpan.FromSeconds(5);
        return GrpcChannel.ForAddress(address, options);
    }
}
