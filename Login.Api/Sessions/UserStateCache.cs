using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Npgsql;
using StackExchange.Redis;

namespace AccessPlatform.Login.Sessions;

/// <summary>What a live session must agree with on every request: the user's row as it is now.</summary>
public sealed record SessionUserState
{
    public required Guid SecurityStamp { get; init; }
    public required string[] Roles { get; init; }
    public required bool WebAccess { get; init; }
    public required bool Active { get; init; }

    /// <summary>
    /// The roles version a session carries: a fingerprint of the sorted roles, so any change of roles (by any path)
    /// changes it, and no column has to be kept in step by every writer.
    /// </summary>
    public static string RolesVersionOf(IEnumerable<string> roles) =>
        Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(roles.Order(StringComparer.Ordinal).ToArray())))[..16];
}

/// <summary>
/// The users' current security state for the session check, cached in Redis for at most
/// <see cref="SessionLifetimeOptions.UserStateCacheSeconds"/> so a request costs no Postgres query. A change is
/// announced by <see cref="InvalidateAsync"/>, which bumps the user's generation: an entry filled from a read that
/// raced the change carries the old generation and is ignored, so a stale value cannot outlive a change by being
/// written back after it (ASVS 7.4.2).
/// </summary>
public sealed class UserStateCache(IConnectionMultiplexer redis, NpgsqlDataSource db, Microsoft.Extensions.Options.IOptions<SessionLifetimeOptions> options)
{
    /// <summary>Longer than any cache entry lives, so a generation cannot expire and restart under a live entry.</summary>
    private static readonly TimeSpan GenerationLifetime = TimeSpan.FromDays(1);

    private sealed record CachedState(long Generation, SessionUserState? State);

    /// <summary>The user's state now (at most the cache lifetime old); null when the user no longer exists.</summary>
    public async Task<SessionUserState?> GetAsync(Guid userId)
    {
        var redisDb = redis.GetDatabase();
        var values = await redisDb.StringGetAsync([StateKey(userId), GenerationKey(userId)]);
        var generation = values[1].IsNull ? 0 : (long)values[1];
        if (!values[0].IsNull && JsonSerializer.Deserialize<CachedState>(values[0].ToString()) is { } cached && cached.Generation == generation)
        {
            return cached.State;
        }
        var state = await LoadAsync(userId);
        if (options.Value.UserStateCacheSeconds > 0)
        {
            await redisDb.StringSetAsync(StateKey(userId), JsonSerializer.Serialize(new CachedState(generation, state)),
                TimeSpan.FromSeconds(options.Value.UserStateCacheSeconds));
        }
        return state;
    }

    /// <summary>Call after the user's row changed: the next request of any of their sessions reads it fresh.</summary>
    public async Task InvalidateAsync(Guid userId)
    {
        var redisDb = redis.GetDatabase();
        await Task.WhenAll(
            redisDb.StringIncrementAsync(GenerationKey(userId)),
            redisDb.KeyExpireAsync(GenerationKey(userId), GenerationLifetime),
            redisDb.KeyDeleteAsync(StateKey(userId)));
    }

    private async Task<SessionUserState?> LoadAsync(Guid userId)
    {
        await using var connection = await db.OpenConnectionAsync();
        // A disabled account disables its users, as on the login path.
        return await connection.QuerySingleOrDefaultAsync<SessionUserState>("""
            SELECT u.security_stamp AS "SecurityStamp", u.roles AS "Roles", u.web_access AS "WebAccess",
                   (u.status = 'active' AND a.status = 'active') AS "Active"
            FROM users u JOIN accounts a ON a.id = u.account_id
            WHERE u.id = @userId
            """, new { userId });
    }

    private static RedisKey StateKey(Guid userId) => $"user-state:{userId:N}";

    private static RedisKey GenerationKey(Guid userId) => $"user-state-gen:{userId:N}";
}
