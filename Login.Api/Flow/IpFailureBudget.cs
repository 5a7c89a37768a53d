using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AccessPlatform.Login.Flow;

/// <summary>
/// Failures per client address across usernames: per-account lockout alone misses one password tried against many
/// accounts (aspnetcore#6836). A fixed window in Redis. A login claims one unit before the hash (check and count in
/// one script, so parallel requests cannot overshoot) and gives it back when the password was right.
/// </summary>
public sealed class IpFailureBudget(IConnectionMultiplexer redis, IOptions<IpFailureBudgetOptions> options)
{
    // Returns the new count, or minus the window's remaining milliseconds when the budget is spent (nothing counted).
    private static readonly LuaScript Claim = LuaScript.Prepare("""
        local n = redis.call('INCR', @key)
        if n == 1 then redis.call('PEXPIRE', @key, @window) end
        if n > tonumber(@max) then
          redis.call('DECR', @key)
          return -math.max(redis.call('PTTL', @key), 1)
        end
        return n
        """);

    private static readonly LuaScript Refund = LuaScript.Prepare("""
        if redis.call('EXISTS', @key) == 1 and tonumber(redis.call('GET', @key)) > 0 then return redis.call('DECR', @key) end
        return 0
        """);

    /// <summary>Null when a unit was claimed; else how long the address must wait.</summary>
    public async Task<TimeSpan?> TryClaimAsync(string? ip)
    {
        if (ip is null)
        {
            return null;
        }
        var result = (long)await redis.GetDatabase().ScriptEvaluateAsync(Claim,
            new { key = Key(ip), window = (long)TimeSpan.FromMinutes(options.Value.WindowMinutes).TotalMilliseconds, max = options.Value.MaxFailures });
        return result < 0 ? TimeSpan.FromMilliseconds(-result) : null;
    }

    /// <summary>
    /// A right password was no failure: its unit goes back. Sent without waiting for the answer (one round trip less
    /// per login): the connection keeps the order, so this client's next claim sees it, and a lost refund only leaves
    /// the address one failure closer to its limit, never further from it.
    /// </summary>
    public Task RefundAsync(string? ip)
    {
        if (ip is not null)
        {
            redis.GetDatabase().ScriptEvaluate(Refund, new { key = Key(ip) }, CommandFlags.FireAndForget);
        }
        return Task.CompletedTask;
    }

    /// <summary>IPv4 per address, IPv6 per network (a /64 by default: one host owns a whole /64), the gateway's partition.</summary>
    private RedisKey Key(string ip) => $"ip-failures:{ClientPartition.Of(ip, options.Value.Ipv6Prefix)}";
}
