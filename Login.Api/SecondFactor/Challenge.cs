using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using StackExchange.Redis;

namespace AccessPlatform.Login.SecondFactor;

public enum DeliveryStatus { None, Queued, Sent, Failed }

/// <summary>
/// One login waiting for its second factor, server-side in Redis. The code is kept only as an HMAC under a
/// per-challenge key, so it is bound to this challenge: a code from another challenge never matches.
/// </summary>
public sealed record Challenge(
    Guid UserId, string Language, string DeviceLabel, string? Ip, DateTime CreatedAt,
    string? Channel = null, string? CodeHash = null, string? CodeKey = null, DateTime? CodeIssuedAt = null, Guid? MessageId = null);

public sealed class ChallengeStore(IConnectionMultiplexer redis)
{
    /// <summary>How long a login may wait for its second factor before it must start again.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    public async Task<string> CreateAsync(Challenge challenge)
    {
        var flowId = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        await redis.GetDatabase().StringSetAsync(Key(flowId), JsonSerializer.Serialize(challenge), Lifetime);
        return flowId;
    }

    public async Task<Challenge?> GetAsync(string? flowId)
    {
        if (flowId is not { Length: >= 40 and <= 64 })
        {
            return null;
        }
        var json = await redis.GetDatabase().StringGetAsync(Key(flowId));
        return json.IsNullOrEmpty ? null : JsonSerializer.Deserialize<Challenge>(json.ToString());
    }

    public Task SaveAsync(string flowId, Challenge challenge) =>
        redis.GetDatabase().StringSetAsync(Key(flowId), JsonSerializer.Serialize(challenge), expiry: null, keepTtl: true);

    /// <summary>Counts a code guess before it is checked (atomic), so parallel guesses cannot exceed the limit.</summary>
    public async Task<long> CountGuessAsync(string flowId)
    {
        var db = redis.GetDatabase();
        var guesses = await db.StringIncrementAsync(GuessKey(flowId));
        if (guesses == 1)
        {
            await db.KeyExpireAsync(GuessKey(flowId), Lifetime);
        }
        return guesses;
    }

    /// <summary>Ends the challenge: single use on success, dead after too many wrong codes. True for the caller that ended it.</summary>
    public async Task<bool> EndAsync(string flowId)
    {
        var db = redis.GetDatabase();
        await db.KeyDeleteAsync(GuessKey(flowId));
        return await db.KeyDeleteAsync(Key(flowId));
    }

    /// <summary>Codes sent to a user in the last hour (sliding cap across challenges).</summary>
    public async Task<bool> TryCountCodeAsync(Guid userId, int maxPerHour, DateTime now)
    {
        var db = redis.GetDatabase();
        var key = (RedisKey)$"otp-codes:{userId:N}";
        var score = now.Ticks;
        await db.SortedSetRemoveRangeByScoreAsync(key, 0, now.AddHours(-1).Ticks);
        if (await db.SortedSetLengthAsync(key) >= maxPerHour)
        {
            return false;
        }
        await db.SortedSetAddAsync(key, Guid.NewGuid().ToString("N"), score);
        await db.KeyExpireAsync(key, TimeSpan.FromHours(1));
        return true;
    }

    public Task SetDeliveryAsync(Guid messageId, DeliveryStatus status) =>
        redis.GetDatabase().StringSetAsync($"otp-delivery:{messageId:N}", status.ToString(), Lifetime);

    public async Task<DeliveryStatus> GetDeliveryAsync(Guid? messageId)
    {
        if (messageId is null)
        {
            return DeliveryStatus.None;
        }
        var value = await redis.GetDatabase().StringGetAsync($"otp-delivery:{messageId:N}");
        return Enum.TryParse<DeliveryStatus>(value.ToString(), out var status) ? status : DeliveryStatus.Queued;
    }

    public static (string Hash, string Key) HashCode(string code)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        return (Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(code))), Convert.ToBase64String(key));
    }

    public static bool Matches(Challenge challenge, string code)
    {
        if (challenge.CodeHash is null || challenge.CodeKey is null)
        {
            return false;
        }
        var actual = HMACSHA256.HashData(Convert.FromBase64String(challenge.CodeKey), Encoding.UTF8.GetBytes(code));
        return CryptographicOperations.FixedTimeEquals(actual, Convert.FromBase64String(challenge.CodeHash));
    }

    private static RedisKey Key(string flowId) => $"login-flow:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(flowId)))}";

    private static RedisKey GuessKey(string flowId) => $"{Key(flowId)}:guesses";
}
