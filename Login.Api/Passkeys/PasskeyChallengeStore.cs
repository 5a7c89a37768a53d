using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AccessPlatform.Login.Passkeys;

/// <summary>
/// WebAuthn challenges (the options sent to the browser) in Redis for <see cref="PasskeyOptions.ChallengeLifetime"/>,
/// under the SHA-256 of what they are bound to (a session handle, a sign-in binding cookie). Taking one deletes it in
/// the same command, so each challenge answers one ceremony at most.
/// </summary>
public sealed class PasskeyChallengeStore(IConnectionMultiplexer redis, IOptions<PasskeyOptions> options)
{
    public Task SaveAsync(string purpose, string binding, string optionsJson) =>
        redis.GetDatabase().StringSetAsync(Key(purpose, binding), optionsJson, options.Value.ChallengeLifetime);

    public async Task<string?> TakeAsync(string purpose, string binding)
    {
        var value = await redis.GetDatabase().StringGetDeleteAsync(Key(purpose, binding));
        return value.IsNullOrEmpty ? null : value.ToString();
    }

    private static RedisKey Key(string purpose, string binding) =>
        $"passkey-challenge:{purpose}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(binding)))}";
}
