using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Telemetry;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AccessPlatform.Login.Sessions;

public sealed class SessionLifetimeOptions
{
    public const string Section = "Login:Sessions";

    [Range(1, 24 * 60)]
    public int IdleTimeoutMinutes { get; set; } = 30;

    [Range(1, 24 * 30)]
    public int AbsoluteLifetimeHours { get; set; } = 12;

    /// <summary>Last activity is written at most this often, to keep Redis writes off most requests.</summary>
    [Range(0, 3600)]
    public int ActivityResolutionSeconds { get; set; } = 60;

    /// <summary>Live sessions per user; the login that would exceed it ends the least recently used one.</summary>
    [Range(1, 1000)]
    public int MaxPerUser { get; set; } = 50;

    /// <summary>How long the user's roles, status and security stamp may be cached for the session check (30 s at most).</summary>
    [Range(0, 30)]
    public int UserStateCacheSeconds { get; set; } = 30;

    public TimeSpan IdleTimeout => TimeSpan.FromMinutes(IdleTimeoutMinutes);
    public TimeSpan AbsoluteLifetime => TimeSpan.FromHours(AbsoluteLifetimeHours);
}

/// <summary>
/// A server-side session. <see cref="Handle"/> is the SHA-256 of the cookie's secret id, never the id.
/// <see cref="SecurityStamp"/> and <see cref="RolesVersion"/> are the user's at sign-in (roles: at the last refresh);
/// a session whose stamp is no longer the user's has ended.
/// </summary>
public sealed record Session(
    string Handle, Guid UserId, Guid AccountId, string Username, string AccountKey, string[] Roles, string Language,
    DateTime CreatedAt, DateTime LastSeenAt, DateTime AbsoluteExpiresAt, string DeviceLabel, string? Ip,
    Guid SecurityStamp, string? RolesVersion, SsoSessionOrigin? Sso = null);

/// <param name="SecurityStamp">The user's security stamp as read for this login: a password change, reset or SSO
/// enforcement rotates it and so ends the session, even one issued by a login that raced the change.</param>
/// <param name="NotAfter">An end the session must not outlive (an SSO IdP's SessionNotOnOrAfter); the earlier of it and the absolute lifetime wins.</param>
/// <param name="Sso">The IdP identity of an SSO sign-in, for single logout.</param>
public sealed record NewSession(Guid UserId, Guid AccountId, string Username, string AccountKey, string[] Roles, string Language, string DeviceLabel,
    string? Ip, Guid SecurityStamp, DateTime? NotAfter = null, SsoSessionOrigin? Sso = null);

/// <summary>One page of a user's sessions, newest first, and how many there are in all.</summary>
public sealed record SessionPage(IReadOnlyList<Session> Items, int Page, int PageSize, int Total)
{
    public bool HasNext => Page * PageSize < Total;
}

/// <summary>
/// Sessions in Redis, revocable: the cookie holds only a 256-bit random id; Redis holds the session under the id's
/// hash (a dump of Redis yields no usable cookie) plus a per-user index (scored by last activity) to list, cap and end
/// them. Every write that must not outlive an end runs as one Lua script that checks the index first, so a touch
/// racing a logout cannot recreate the session outside the index.
/// Idle and absolute expiry are checked against <see cref="TimeProvider"/>; Redis TTLs only collect garbage.
/// Every request also checks the session against the user's current state (<see cref="UserStateCache"/>).
/// </summary>
public sealed partial class SessionStore(
    IConnectionMultiplexer redis, IOptions<SessionLifetimeOptions> options, TimeProvider clock, LoginMetrics metrics, UserStateCache userStates,
    AuditLog audit, ILogger<SessionStore> logger)
{
    public const int PageSize = 20;

    private const string KeyPrefix = "session:";

    private static readonly TimeSpan TtlMargin = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Creates the session and caps the user's index in one step: entries idle beyond the timeout (or written by an
    /// older version, scored in ticks) are dropped with their keys; then the least recently used sessions beyond the
    /// cap are ended. Returns the number of stale keys deleted, followed by the handles of live sessions it ended.
    /// </summary>
    private const string CreateScript = """
        redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
        redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
        redis.call('PEXPIRE', KEYS[2], ARGV[5])
        local deleted = 0
        local stale = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[7])
        for _, h in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[8], '+inf')) do table.insert(stale, h) end
        for _, h in ipairs(stale) do
          redis.call('ZREM', KEYS[2], h)
          deleted = deleted + redis.call('DEL', ARGV[9] .. h)
        end
        local result = { deleted }
        local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[6])
        if over > 0 then
          for _, h in ipairs(redis.call('ZRANGE', KEYS[2], 0, over - 1)) do
            redis.call('ZREM', KEYS[2], h)
            if redis.call('DEL', ARGV[9] .. h) == 1 then table.insert(result, h) end
          end
        end
        return result
        """;

    /// <summary>Rewrites a session (activity, refreshed roles) only while it is still in the user's index and exists.</summary>
    private const string TouchScript = """
        if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then return 0 end
        if not redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3], 'XX') then return 0 end
        redis.call('ZADD', KEYS[2], 'XX', ARGV[4], ARGV[1])
        return 1
        """;

    public async Task<(string SecretId, Session Session)> CreateAsync(NewSession request)
    {
        var secret = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow().UtcDateTime;
        var absoluteExpiry = now + options.Value.AbsoluteLifetime;
        if (request.NotAfter is { } notAfter && notAfter < absoluteExpiry)
        {
            absoluteExpiry = notAfter;
        }
        var session = new Session(HandleOf(secret), request.UserId, request.AccountId, request.Username, request.AccountKey, request.Roles,
            request.Language, now, now, absoluteExpiry, request.DeviceLabel, request.Ip,
            request.SecurityStamp, SessionUserState.RolesVersionOf(request.Roles), request.Sso);
        if (request.Sso is { } sso)
        {
            // Indexed before the session exists, so an IdP-initiated logout from now on finds it.
            var identity = IdentityKey(request.AccountId, sso.IdpEntityId, sso.NameId);
            await redis.GetDatabase().SetAddAsync(identity, IdentityMember(request.UserId, session.Handle));
            await redis.GetDatabase().KeyExpireAsync(identity, options.Value.AbsoluteLifetime + TtlMargin);
        }
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(CreateScript, [Key(session.Handle), UserKey(session.UserId)],
        [
            session.Handle, JsonSerializer.Serialize(session), (long)Ttl(session, now).TotalMilliseconds, Score(now),
            (long)(options.Value.AbsoluteLifetime + TtlMargin).TotalMilliseconds, options.Value.MaxPerUser,
            Score(now - options.Value.IdleTimeout - TtlMargin), Score(now + TimeSpan.FromDays(1)), KeyPrefix,
        ]))!;
        metrics.SessionStarted();
        for (var i = 0; i < (int)result[0]; i++)
        {
            metrics.SessionEnded();
        }
        foreach (var _ in result.Skip(1))
        {
            metrics.SessionEnded();
            // The handle stays out of the audit row: it is the only key to a session besides the cookie.
            await audit.RecordAsync(AuditEvents.SessionRevoked, request.AccountId, request.UserId, "session-cap", ip: request.Ip);
        }
        return (secret, session);
    }

    /// <summary>
    /// The live session for a cookie's secret id, its activity and roles refreshed; null when unknown, expired, or
    /// no longer valid for the user (disabled, web access withdrawn, password changed, SSO enforced).
    /// </summary>
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
            await ForgetAsync(session.UserId, handle);
            return null;
        }
        var state = await userStates.GetAsync(session.UserId);
        if (EndReason(session, state) is { } reason)
        {
            await ForgetAsync(session.UserId, handle);
            LogEnded(logger, session.UserId, reason);
            return null;
        }
        var rolesVersion = SessionUserState.RolesVersionOf(state!.Roles);
        var refreshRoles = rolesVersion != session.RolesVersion;
        var touch = now - session.LastSeenAt > TimeSpan.FromSeconds(options.Value.ActivityResolutionSeconds);
        if (!refreshRoles && !touch)
        {
            return session;
        }
        session = session with
        {
            Roles = refreshRoles ? state.Roles : session.Roles,
            RolesVersion = rolesVersion,
            LastSeenAt = touch ? now : session.LastSeenAt,
        };
        // Ended meanwhile (a logout or "end all" won the race): the request is not signed in.
        return await RewriteAsync(db, session, now) ? session : null;
    }

    /// <summary>A page of the user's live sessions, newest first; the index is capped, so this reads at most the cap.</summary>
    public async Task<SessionPage> ListAsync(Guid userId, int page = 1)
    {
        var db = redis.GetDatabase();
        var handles = await db.SortedSetRangeByRankAsync(UserKey(userId));
        RedisValue[] values = handles.Length == 0 ? [] : await db.StringGetAsync([.. handles.Select(h => Key(h.ToString()))]);
        var now = clock.GetUtcNow().UtcDateTime;
        var live = new List<Session>();
        for (var i = 0; i < handles.Length; i++)
        {
            if (values[i].IsNullOrEmpty)
            {
                await db.SortedSetRemoveAsync(UserKey(userId), handles[i]);
                continue;
            }
            var session = JsonSerializer.Deserialize<Session>(values[i].ToString())!;
            if (now - session.LastSeenAt <= options.Value.IdleTimeout && now < session.AbsoluteExpiresAt)
            {
                live.Add(session);
            }
        }
        page = Math.Clamp(page, 1, Math.Max(1, (live.Count + PageSize - 1) / PageSize));
        var items = live.OrderByDescending(s => s.CreatedAt).Skip((page - 1) * PageSize).Take(PageSize).ToList();
        return new SessionPage(items, page, PageSize, live.Count);
    }

    /// <summary>Ends one session of the user; false when the handle is not theirs.</summary>
    public async Task<bool> EndAsync(Guid userId, string handle)
    {
        var db = redis.GetDatabase();
        // Out of the index first: from then on no touch can rewrite the key (the touch script checks the index).
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

    /// <summary>
    /// Ends every session of the user, optionally but one (ASVS 7.4.3 / 7.4.5), and makes the next request of any
    /// session re-read the user (a login that raced the change carries the old security stamp and ends there).
    /// </summary>
    public async Task<int> EndAllAsync(Guid userId, string? exceptHandle = null)
    {
        await userStates.InvalidateAsync(userId);
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

    /// <summary>
    /// After the user changed their own password (a new security stamp), the sessions they keep (<paramref name="onlyHandle"/>,
    /// or all) carry the new stamp; the others still end at their next request. Only sessions of the old stamp move on.
    /// </summary>
    public async Task KeepAsync(Guid userId, Guid oldStamp, Guid newStamp, string? onlyHandle = null)
    {
        await userStates.InvalidateAsync(userId);
        var db = redis.GetDatabase();
        var now = clock.GetUtcNow().UtcDateTime;
        var handles = onlyHandle is not null ? [onlyHandle] : (await db.SortedSetRangeByRankAsync(UserKey(userId))).Select(h => h.ToString()).ToArray();
        foreach (var handle in handles)
        {
            var json = await db.StringGetAsync(Key(handle));
            if (json.IsNullOrEmpty || JsonSerializer.Deserialize<Session>(json.ToString()) is not { } session
                || session.UserId != userId || session.SecurityStamp != oldStamp)
            {
                continue;
            }
            await RewriteAsync(db, session with { SecurityStamp = newStamp }, now);
        }
    }

    /// <summary>
    /// IdP-initiated single logout: ends every live session signed in with this IdP identity of the account, of any
    /// user, and with <paramref name="sessionIndexes"/> only those of these IdP sessions (SAML core §3.7.3.2).
    /// </summary>
    /// <returns>The user of each session that ended.</returns>
    public async Task<IReadOnlyList<Guid>> EndSsoIdentityAsync(Guid accountId, string idpEntityId, string nameId, IReadOnlyCollection<string> sessionIndexes)
    {
        var db = redis.GetDatabase();
        var identity = IdentityKey(accountId, idpEntityId, nameId);
        var ended = new List<Guid>();
        foreach (var member in await db.SetMembersAsync(identity))
        {
            var text = member.ToString();
            var colon = text.IndexOf(':');
            if (colon < 0 || !Guid.TryParseExact(text[..colon], "N", out var userId))
            {
                await db.SetRemoveAsync(identity, member);
                continue;
            }
            var handle = text[(colon + 1)..];
            var json = await db.StringGetAsync(Key(handle));
            if (json.IsNullOrEmpty || JsonSerializer.Deserialize<Session>(json.ToString()) is not { Sso: { } sso } session)
            {
                await db.SetRemoveAsync(identity, member);
                continue;
            }
            // The hash could collide in theory; the stored identity decides.
            if (session.AccountId != accountId || sso.IdpEntityId != idpEntityId || sso.NameId != nameId
                || (sessionIndexes.Count > 0 && (sso.SessionIndex is null || !sessionIndexes.Contains(sso.SessionIndex))))
            {
                continue;
            }
            if (await EndAsync(userId, handle))
            {
                ended.Add(userId);
            }
            await db.SetRemoveAsync(identity, member);
        }
        return ended;
    }

    /// <summary>The user's row changed (roles, web access, status): every session re-reads it at its next request.</summary>
    public Task UserChangedAsync(Guid userId) => userStates.InvalidateAsync(userId);

    public static string HandleOf(string secretId) =>
        WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.UTF8.GetBytes(secretId)));

    private static string? EndReason(Session session, SessionUserState? state) => state switch
    {
        null => "user-gone",
        { Active: false } => "user-disabled",
        { WebAccess: false } => "no-web-access",
        _ when state.SecurityStamp != session.SecurityStamp => "security-stamp-changed",
        _ => null,
    };

    private async Task<bool> RewriteAsync(IDatabase db, Session session, DateTime now) =>
        (int)await db.ScriptEvaluateAsync(TouchScript, [Key(session.Handle), UserKey(session.UserId)],
            [session.Handle, JsonSerializer.Serialize(session), (long)Ttl(session, now).TotalMilliseconds, Score(session.LastSeenAt)]) == 1;

    /// <summary>Removes a session found invalid, whether or not the index still lists it.</summary>
    private async Task ForgetAsync(Guid userId, string handle)
    {
        var db = redis.GetDatabase();
        await db.SortedSetRemoveAsync(UserKey(userId), handle);
        if (await db.KeyDeleteAsync(Key(handle)))
        {
            metrics.SessionEnded();
        }
    }

    private TimeSpan Ttl(Session session, DateTime now)
    {
        var idle = options.Value.IdleTimeout + TtlMargin;
        var absolute = session.AbsoluteExpiresAt - now + TtlMargin;
        return idle < absolute ? idle : absolute;
    }

    /// <summary>Index score: last activity in Unix milliseconds (exact in a double).</summary>
    private static long Score(DateTime utc) => new DateTimeOffset(utc, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static RedisKey Key(string handle) => KeyPrefix + handle;

    private static RedisKey UserKey(Guid userId) => $"user-sessions:{userId:N}";

    /// <summary>The sessions of one IdP identity; the key is a hash, so no NameID appears in Redis key names.</summary>
    private static RedisKey IdentityKey(Guid accountId, string idpEntityId, string nameId) =>
        "sso-identity-sessions:" + WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.UTF8.GetBytes($"{accountId:N}\n{idpEntityId}\n{nameId}")));

    private static RedisValue IdentityMember(Guid userId, string handle) => $"{userId:N}:{handle}";

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Session of user {UserId} ended at its next request ({Reason})")]
    private static partial void LogEnded(ILogger logger, Guid userId, string reason);
}
