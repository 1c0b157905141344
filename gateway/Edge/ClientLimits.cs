using System.Threading.RateLimiting;
using Grpc.Core;
using Microsoft.AspNetCore.RateLimiting;
using Wsis.Gateway.Proxy;

namespace Wsis.Gateway.Edge;

/// <summary><c>Gateway:RateLimits:Concurrency</c>: calls one client may have in progress at once.</summary>
public sealed class ConcurrencyLimitOptions
{
    public const string SectionName = "Gateway:RateLimits:Concurrency";

    /// <summary>Calls in progress per client (0: no limit).</summary>
    public int PermitLimit { get; set; } = 200;
}

/// <summary><c>Gateway:RateLimits:Submissions</c>: what one client may store per window.</summary>
public sealed class SubmissionLimitOptions
{
    public const string SectionName = "Gateway:RateLimits:Submissions";

    /// <summary>Submissions one client (anonymous web user, token subject) may make per window.</summary>
    public int PermitLimit { get; set; } = 10;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Roles of partner service accounts (a token's <c>roles</c>), which get <see cref="PartnerPermitLimit"/> instead.</summary>
    public List<string> PartnerRoles { get; set; } = [];

    public int PartnerPermitLimit { get; set; } = 1000;
}

/// <summary>
/// Per-client limits with ASP.NET Core's rate limiter. A client is its token's subject when it sent a
/// valid token, otherwise its IP address.
/// <list type="bullet">
/// <item>Every request counts against its client's concurrency limit (the global limiter), so one
/// client holding thousands of open calls cannot take the capacity every other client shares. Beyond
/// it: UNAVAILABLE at once with a retry hint (HTTP 429 with <c>Retry-After</c>).</item>
/// <item>The <c>submissions</c> policy, named on the routes and the web form that store something on
/// behalf of anyone (a consultation response needs no account): a fixed window per client, a larger
/// one for partner service accounts. Beyond it: RESOURCE_EXHAUSTED (HTTP 429) with the time to wait.</item>
/// </list>
/// </summary>
public static class ClientLimits
{
    public const string SubmissionsPolicy = "submissions";

    private static readonly TimeSpan ConcurrencyRetry = TimeSpan.FromSeconds(1);

    public static IServiceCollection AddClientLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var concurrency = configuration.GetSection(ConcurrencyLimitOptions.SectionName).Get<ConcurrencyLimitOptions>() ?? new();
        var submissions = configuration.GetSection(SubmissionLimitOptions.SectionName).Get<SubmissionLimitOptions>() ?? new();
        services.AddRateLimiter(limiter =>
        {
            if (concurrency.PermitLimit > 0)
            {
                limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, Client>(context =>
                    RateLimitPartition.GetConcurrencyLimiter(Client.Of(context), _ => new ConcurrencyLimiterOptions
                    {
                        PermitLimit = concurrency.PermitLimit,
                        QueueLimit = 0,
                    }));
            }

            limiter.OnRejected = (rejected, _) => new ValueTask(GatewayAnswers.WriteAsync(rejected.HttpContext, StatusCode.Unavailable,
                StatusCodes.Status429TooManyRequests,
                $"this client has {concurrency.PermitLimit} calls in progress, the most one client may have; retry when one has ended", ConcurrencyRetry));
            limiter.AddPolicy(SubmissionsPolicy, new SubmissionPolicy(submissions));
        });
        return services;
    }

    /// <summary>A client: its token's subject when it sent a valid token, else its IP address (compared as
    /// they are: nothing is formatted on the way of every call).</summary>
    public readonly record struct Client(string? Subject, System.Net.IPAddress? Address)
    {
        public static Client Of(HttpContext context) =>
            context.User.FindFirst("sub")?.Value is { } subject ? new(subject, null) : new(null, context.Connection.RemoteIpAddress);
    }

    private sealed class SubmissionPolicy(SubmissionLimitOptions options) : IRateLimiterPolicy<(bool Partner, Client Client)>
    {
        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = (rejected, _) =>
        {
            var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : options.Window;
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            return new ValueTask(GatewayAnswers.WriteAsync(rejected.HttpContext, StatusCode.ResourceExhausted, StatusCodes.Status429TooManyRequests,
                $"too many submissions from this client; retry after {seconds} s", TimeSpan.FromSeconds(seconds)));
        };

        public RateLimitPartition<(bool Partner, Client Client)> GetPartition(HttpContext context)
        {
            // Reading the form or a consultation stores nothing.
            if (!HttpMethods.IsPost(context.Request.Method))
            {
                return RateLimitPartition.GetNoLimiter(default((bool, Client)));
            }

            var partner = options.PartnerRoles.Count > 0 && options.PartnerRoles.Any(role => context.User.HasClaim("roles", role));
            var limit = partner ? options.PartnerPermitLimit : options.PermitLimit;
            return RateLimitPartition.GetFixedWindowLimiter((partner, Client.Of(context)), _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = limit,
                Window = options.Window,
                QueueLimit = 0,
                AutoReplenishment = true,
            });
        }
    }
}
