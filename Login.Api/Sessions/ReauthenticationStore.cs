using System.Globalization;
using StackExchange.Redis;

namespace AccessPlatform.Login.Sessions;

/// <summary>
/// When each session last re-authenticated (password or a passed second factor), in Redis under the session handle.
/// The time comes from <see cref="TimeProvider"/> so it is judged against the same clock as the session; the TTL only
/// collects garbage once the window is long past.
/// </summary>
public sealed class ReauthenticationStore(IConnectionMultiplexer redis, TimeProvider clock)
{
    private static readonly TimeSpan GarbageAfter = TimeSpan.FromHours(1);

    public async Task RecordAsync(string sessionHandle) =>
        await redis.GetDatabase().StringSetAsync(Key(sessionHandle),
            clock.GetUtcNow().UtcTicks.ToString(CultureInfo.InvariantCulture), GarbageAfter);

    public async Task<DateTime?> LastAsync(string sessionHandle)
    {
        var value = await redis.GetDatabase().StringGetAsync(Key(sessionHandle));
        return long.TryParse(value.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            ? new DateTime(ticks, DateTimeKind.Utc)
            : null;
    }

    public Task ForgetAsync(string sessionHandle) => redis.GetDatabase().KeyDeleteAsync(Key(sessionHandle));

    private static RedisKey Key(string sessionHandle) => $"reauth:{sessionHandle}";
}
