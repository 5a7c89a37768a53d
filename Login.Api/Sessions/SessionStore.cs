using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AccessPlatform.Login.Telemetry;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AccessPlatform.Login.Sessions;

public sealed class SessionLifetimeOptions
{
    public const string Section = "Login:Sessions";

    public int IdleTimeoutMinutes { get; set; } = 30;
    public int AbsoluteLifetimeHours { get; set; } = 12;

    /// <summary>Last activity is written at most this often, to keep Redis writes off most requests.</summary>
    public int ActivityResolutionSeconds { get; set; } = 60;

    public TimeSpan IdleTimeout => TimeSpan.FromMinutes(IdleTimeoutMinutes);
    public TimeSpan AbsoluteLifetime => TimeSpan.FromHours(AbsoluteLifetimeHours);
}

/// <summary>A server-side session. <see cref="Handle"/> is the SHA-256 of the cookie's secret id, never the id.</summary>
public sealed record Session(
    string Handle, Guid UserId, Guid AccountId, string Username, string AccountKey, string[] Roles, string Language,
    DateTime CreatedAt, DateTime LastSeenAt, DateTime AbsoluteExpiresAt, string DeviceLabel, string? Ip);

public sealed record NewSession(Guid UserId, Guid AccountId, string Username, string AccountKey, string[] Roles, string Language, string DeviceLabel, string? Ip);

/// <summary>
/// Sessions in Redis, revocable: the cookie holds only a 256-bit random id; Redis holds the session under the id's
/// hash (a dump of Redis yields no usable cookie) plus a per-user index to list and end them.
/// Idle and absolute expiry are checked against <see cref="TimeProvider"/>; Redis TTLs only collect garbage.
/// </summary>
public sealed class SessionStore(IConnectionMultiplexer redis, IOptions<SessionLifetimeOptions> options, TimeProvider clock, LoginMetrics metrics)
{
    private static readonly TimeSpan TtlMargin = TimeSpan.FromMinutes(5);

    public async Task<(string SecretId, Session Session)> CreateAsync(NewSession request)
    {
        var secret = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow().UtcDateTime;
        var session = new Session(HandleOf(secret), request.UserId, request.AccountId, request.Username, request.AccountKey, request.Roles,
            request.Language, now, now, now + options.Value.AbsoluteLifetime, request.DeviceLabel, request.Ip);
        var db = redis.GetDatabase();
        // One round trip: the three writes are pipelined.
        await Task.WhenAll(
            db.StringSetAsync(Key(session.Handle), JsonSerializer.Serialize(session), Ttl(session, now)),
            db.SortedSetAddAsync(UserKey(session.UserId), session.Handle, now.Ticks),
            db.KeyExpireAsync(UserKey(session.UserId), options.Value.AbsoluteLifetime + TtlMargin));
        metrics.SessionStarted();
        return (secret, session);
    }

    /// <summary>The live session for a cookie's secret id, its activity refreshed; null when unknown or expired.</summary>
    public async Task<Session?> ValidateAsync(string secretId)
    {
        if (secretId.Length is < 40 or > 64)
        {
            return null;
        }
        var handle = HandleOf(secretId);
        var db = redis.GetDatabase();
        var json = await db.StringGetAsync(Key(handle));
        if (json.IsNullOrEmpty)
        {
            return null;
        }
        var session = JsonSerializer.Deserialize<Session>(json.ToString())!;
        var now = clock.GetUtcNow().UtcDateTime;
        if (now - session.LastSeenAt > options.Value.IdleTimeout || now >= session.AbsoluteExpiresAt)
        {
            await EndAsync(session.UserId, handle);
            return null;
        }
        if (now - session.LastSeenAt > TimeSpan.FromSeconds(options.Value.ActivityResolutionSeconds))
        {
            session = session with { LastSeenAt = now };
            await db.StringSetAsync(Key(handle), JsonSerializer.Serialize(session), Ttl(session, now));
        }
        return session;
    }

    public async Task<IReadOnlyList<Session>> ListAsync(Guid userId)
    {
        var db = redis.GetDatabase();
        var handles = await db.SortedSetRangeByRankAsync(UserKey(userId), order: Order.Descending);
        var sessions = new List<Session>();
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var handle in handles)
        {
            var json = await db.StringGetAsync(Key(handle.ToString()));
            if (json.IsNullOrEmpty)
            {
                await db.SortedSetRemoveAsync(UserKey(userId), handle);
                continue;
            }
            var session = JsonSerializer.Deserialize<Session>(json.ToString())!;
            if (now - session.LastSeenAt <= options.Value.IdleTimeout && now < session.AbsoluteExpiresAt)
            {
                sessions.Add(session);
            }
        }
        return sessions;
    }

    /// <summary>Ends one session of the user; false when the handle is not theirs.</summary>
    public async Task<bool> EndAsync(Guid userId, string handle)
    {
        var db = redis.GetDatabase();
        if (!await db.SortedSetRemoveAsync(UserKey(userId), handle))
        {
            return false;
        }
        if (await db.KeyDeleteAsync(Key(handle)))
        {
            metrics.SessionEnded();
        }
        return true;
    }

    /// <summary>Ends every session of the user, optionally but one (ASVS 7.4.3 / 7.4.5).</summary>
    public async Task<int> EndAllAsync(Guid userId, string? exceptHandle = null)
    {
        var db = redis.GetDatabase();
        var ended = 0;
        foreach (var handle in await db.SortedSetRangeByRankAsync(UserKey(userId)))
        {
            if (handle != exceptHandle && await EndAsync(userId, handle.ToString()))
            {
                ended++;
            }
        }
        return ended;
    }

    public static string HandleOf(string secretId) =>
        WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.UTF8.GetBytes(secretId)));

    private TimeSpan Ttl(Session session, DateTime now)
    {
        var idle = options.Value.IdleTimeout + TtlMargin;
        var absolute = session.AbsoluteExpiresAt - now + TtlMargin;
        return idle < absolute ? idle : absolute;
    }

    private static RedisKey Key(string handle) => $"session:{handle}";

    private static RedisKey UserKey(Guid userId) => $"user-sessions:{userId:N}";
}
