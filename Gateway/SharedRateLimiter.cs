using System.Threading.RateLimiting;
using StackExchange.Redis;

namespace AccessPlatform.Gateway;

/// <summary>
/// A fixed window counted in Redis, so every gateway instance spends the same per-client budget (two gateways must
/// not double a limit). When Redis does not answer, the window is counted in this process instead: the limit then
/// holds per instance until Redis is back, rather than vanishing or failing every request.
/// </summary>
internal sealed class SharedRateLimiter(RateLimiter shared, RateLimiter local) : RateLimiter
{
    public override TimeSpan? IdleDuration => shared.IdleDuration is { } a && local.IdleDuration is { } b ? (a < b ? a : b) : null;

    public override RateLimiterStatistics? GetStatistics() => shared.GetStatistics();

    // The rate-limiting middleware tries the synchronous path first and waits on AcquireAsync only when it fails.
    // The Redis limiter always fails it (it never blocks a thread on Redis), so every request is counted in Redis;
    // a local grant here would let each instance hand out its own budget.
    protected override RateLimitLease AttemptAcquireCore(int permitCount) => shared.AttemptAcquire(permitCount);

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        try
        {
            return await shared.AcquireAsync(permitCount, cancellationToken);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return await local.AcquireAsync(permitCount, cancellationToken);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            shared.Dispose();
            local.Dispose();
        }
        base.Dispose(disposing);
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await shared.DisposeAsync();
        await local.DisposeAsync();
    }
}
