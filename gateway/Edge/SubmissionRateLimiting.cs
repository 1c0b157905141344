using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Wsis.Gateway.Json;
using Wsis.Gateway.Proxy;

namespace Wsis.Gateway.Edge;

public sealed class SubmissionRateLimitOptions
{
    public const string SectionName = "Gateway:RateLimits:Submissions";

    /// <summary>Submissions one client may make per window.</summary>
    public int PermitLimit { get; set; } = 10;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Route templates of the submission endpoints (gRPC, JSON and the web form).</summary>
    public List<string> Paths { get; set; } =
    [
        "/consultations.v1.Consultations/SubmitResponse",
        "/api/consultations.v1.Consultations/SubmitResponse",
        "/consultations/{id}/respond",
    ];
}

/// <summary>Per-client fixed-window limits on the endpoints that store something on behalf of
/// anyone (a consultation response needs no account), with ASP.NET Core's built-in limiter.
/// A client is its token's subject when it sent a valid one, otherwise its IP address.</summary>
public static class SubmissionRateLimiting
{
    public static IServiceCollection AddSubmissionRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(SubmissionRateLimitOptions.SectionName).Get<SubmissionRateLimitOptions>() ?? new();
        if (configuration.GetSection(SubmissionRateLimitOptions.SectionName + ":Paths").Exists())
        {
            // The binder appends configured items to the default list; configured paths replace it.
            options.Paths = configuration.GetSection(SubmissionRateLimitOptions.SectionName + ":Paths").Get<List<string>>() ?? [];
        }
        var patterns = options.Paths.Select(RoutePath.Compile).ToArray();
        services.AddSingleton(new SubmissionPaths(patterns));

        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                if (!HttpMethods.IsPost(context.Request.Method) || !SubmissionPaths.IsSubmission(patterns, context.Request.Path.Value ?? "/"))
                {
                    return RateLimitPartition.GetNoLimiter("");
                }
                var client = context.User.FindFirst("sub")?.Value is { } sub
                    ? "sub:" + sub
                    : "ip:" + context.Connection.RemoteIpAddress;
                return RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.PermitLimit,
                    Window = options.Window,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.OnRejected = (rejected, _) => RejectAsync(rejected, options.Window);
        });
        return services;
    }

    private static async ValueTask RejectAsync(OnRejectedContext rejected, TimeSpan window)
    {
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : window;
        var context = rejected.HttpContext;
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        if (GrpcProtocol.IsGrpcRequest(context.Request))
        {
            await GrpcProtocol.WriteTrailersOnlyAsync(context.Response, GrpcProtocol.ResourceExhausted,
                $"too many submissions from this client; retry after {seconds} s", TimeSpan.FromSeconds(seconds));
            return;
        }
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await JsonTranscoding.Problem(StatusCodes.Status429TooManyRequests, "RESOURCE_EXHAUSTED",
            $"too many submissions from this client; retry after {seconds} s", GrpcProtocol.ResourceExhausted).ExecuteAsync(context);
    }
}

/// <summary>The paths the submission limits apply to (<c>Gateway:RateLimits:Submissions:Paths</c>).</summary>
public sealed class SubmissionPaths(RoutePath[] patterns)
{
    public bool IsSubmission(string path) => IsSubmission(patterns, path);

    internal static bool IsSubmission(RoutePath[] patterns, string path)
    {
        foreach (var p in patterns)
        {
            if (p.IsMatch(path))
            {
                return true;
            }
        }
        return false;
    }
}
