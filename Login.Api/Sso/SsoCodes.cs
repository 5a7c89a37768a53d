using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using StackExchange.Redis;

namespace AccessPlatform.Login.Sso;

/// <summary>
/// What a one-time code stands for: the user, where to go after, the hash of the browser binding secret, and the IdP's
/// SessionNotOnOrAfter (the platform session ends then at the latest). With <see cref="Link"/> the code opens the link
/// page for that identity instead of a session.
/// </summary>
public sealed record SsoCodeGrant(Guid UserId, Guid AccountId, string ReturnPath, string BrowserBindingHash,
    DateTimeOffset? SessionNotOnOrAfter = null, SsoIdentity? Link = null, Sessions.SsoSessionOrigin? Origin = null);

/// <summary>
/// One-time codes that hand an SSO login from Sso.Api to the browser: 256 random bits, kept in Redis under their
/// hash for 60 seconds, and deleted by the one read that redeems them (GETDEL), so a code works at most once.
/// </summary>
public sealed class SsoCodes(IConnectionMultiplexer redis)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);

    public async Task<string> IssueAsync(SsoCodeGrant grant)
    {
        var code = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        await redis.GetDatabase().StringSetAsync(Key(code), JsonSerializer.Serialize(grant), Lifetime);
        return code;
    }

    public async Task<SsoCodeGrant?> RedeemAsync(string? code)
    {
        if (code is not { Length: 43 })
        {
            return null;
        }
        var json = await redis.GetDatabase().StringGetDeleteAsync(Key(code));
        return json.IsNullOrEmpty ? null : JsonSerializer.Deserialize<SsoCodeGrant>(json.ToString());
    }

    private static RedisKey Key(string code) =>
        "sso-code:" + WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.UTF8.GetBytes(code)));
}
