using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Innernet.Server.Api;

/// <summary>
/// The rate limit of a peer's self-service writes (<c>PUT /v1/user/candidates</c>, <c>PUT /v1/user/endpoint</c>):
/// each write replaces the peer's row and invalidates every cached state body, so one peer writing in a loop
/// would make everybody's <c>GET /v1/user/state</c> re-serialize. A token bucket per peer: a burst of
/// <see cref="Burst"/>, then one write per <see cref="RefillPeriod"/>; over it is 429 with Retry-After and an
/// empty body. innernet 1.7 clients write once per fetch (every 60 s by default; three quick retries at
/// install), and even a daemon fetching every second stays within it.
/// </summary>
internal static class PeerWriteLimit
{
    public const string Policy = "peer-writes";

    public const int Burst = 10;

    public static readonly TimeSpan RefillPeriod = TimeSpan.FromSeconds(1);

    public static IServiceCollection AddPeerWriteLimit(this IServiceCollection services) => services.AddRateLimiter(options =>
    {
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.AddPolicy(Policy, Partition);
        options.OnRejected = (rejected, _) =>
        {
            if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
            {
                rejected.HttpContext.Response.Headers.RetryAfter =
                    Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            }

            return ValueTask.CompletedTask;
        };
    });

    /// <summary>One bucket per peer id; the local admin (no peer) never reaches these endpoints, and is not limited.</summary>
    private static RateLimitPartition<long> Partition(HttpContext context) => context.GetCaller().Peer is { } peer
        ? RateLimitPartition.GetTokenBucketLimiter(peer.Id, static _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Burst,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = RefillPeriod,
            QueueLimit = 0,
            AutoReplenishment = true,
        })
        : RateLimitPartition.GetNoLimiter(0L);
}
