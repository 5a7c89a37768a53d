using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AccessPlatform.Login.Flow;

/// <summary>
/// Failures per client address across usernames: per-account lockout alone misses one password tried against many
/// accounts (aspnetcore#6836). A fixed window in Redis.
/// </summary>
public sealed class IpFailureBudget(IConnectionMultiplexer redis, IOptions<IpFailureBudgetOptions> options)
{
    public async Task<TimeSpan?> ExhaustedAsync(string? ip)
    {
        if (ip is null)
        {
            return null;
        }
        var db = redis.GetDatabase();
        var count = await db.StringGetAsync(Key(ip));
        if (count.TryParse(out long failures) && failures >= options.Value.MaxFailures)
        {
            return await db.KeyTimeToLiveAsync(Key(ip)) ?? TimeSpan.FromMinutes(options.Value.WindowMinutes);
        }
        return null;
    }

    public async Task SpendAsync(string? ip)
    {
        if (ip is null)
        {
            return;
        }
        var db = redis.GetDatabase();
        if (await db.StringIncrementAsync(Key(ip)) == 1)
        {
            await db.KeyExpireAsync(Key(ip), TimeSpan.FromMinutes(options.Value.WindowMinutes));
        }
    }

    private static RedisKey Key(string ip) => $"ip-failures:{ip}";
}
