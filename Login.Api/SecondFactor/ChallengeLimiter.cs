using StackExchange.Redis;

namespace AccessPlatform.Login.SecondFactor;

/// <summary>
/// Per-user sliding-window caps of the second factor (challenges started, codes sent), each one atomic Redis script:
/// drop what left the window, check, count. Times come from the injectable clock, so tests can move them.
/// </summary>
public sealed class ChallengeLimiter(IConnectionMultiplexer redis)
{
    // Returns 0 when counted, else the milliseconds until the oldest entry leaves the window.
    private static readonly LuaScript Take = LuaScript.Prepare("""
        redis.call('ZREMRANGEBYSCORE', @key, '-inf', tonumber(@now) - tonumber(@window))
        if redis.call('ZCARD', @key) >= tonumber(@max) then
          local oldest = redis.call('ZRANGE', @key, 0, 0, 'WITHSCORES')
          return math.max(tonumber(oldest[2]) + tonumber(@window) - tonumber(@now), 1)
        end
        redis.call('ZADD', @key, @now, @member)
        redis.call('PEXPIRE', @key, @window)
        return 0
        """);

    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    /// <summary>A second-factor challenge for the user (any channel). Null when allowed; else how long to wait.</summary>
    public Task<TimeSpan?> TakeChallengeAsync(Guid userId, int maxPerHour, DateTime now) => TakeAsync($"2fa-challenges:{userId:N}", maxPerHour, now);

    /// <summary>A code sent to the user by SMS or email.</summary>
    public Task<TimeSpan?> TakeCodeAsync(Guid userId, int maxPerHour, DateTime now) => TakeAsync($"otp-codes:{userId:N}", maxPerHour, now);

    private async Task<TimeSpan?> TakeAsync(string key, int max, DateTime now)
    {
        var nowMs = new DateTimeOffset(now, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var wait = (long)await redis.GetDatabase().ScriptEvaluateAsync(Take, new
        {
            key = (RedisKey)key, now = nowMs, window = (long)Window.TotalMilliseconds, max, member = Guid.NewGuid().ToString("N"),
        });
        return wait == 0 ? null : TimeSpan.FromMilliseconds(wait);
    }
}
