using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AccessPlatform.Contracts;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.WebUtilities;
using StackExchange.Redis;

namespace AccessPlatform.Login.Sso;

/// <summary>
/// SP-initiated single logout: when an SSO session ends by the user's sign-out, its IdP identity is handed to Sso.Api
/// (which signs the LogoutRequest) by a one-time ticket, 256 random bits kept in Redis under their hash for 60 seconds
/// and deleted by the one read that redeems them, so the NameID and SessionIndex never travel in a URL.
/// </summary>
public sealed class SsoLogoutTickets(IConnectionMultiplexer redis)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);

    /// <returns>Where to send the browser next: Sso.Api's logout start, or null for a session that did not come from SSO.</returns>
    public async Task<string?> IssueAsync(Session session)
    {
        if (session.Sso is not { } sso)
        {
            return null;
        }
        var ticket = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var content = new SsoLogoutTicket(session.AccountKey, session.UserId, sso.IdpEntityId, sso.NameId, sso.NameIdFormat, sso.SessionIndex);
        await redis.GetDatabase().StringSetAsync(Key(ticket), JsonSerializer.Serialize(content), Lifetime);
        return SsoBridge.LogoutStartPath(session.AccountKey, ticket);
    }

    public async Task<SsoLogoutTicket?> RedeemAsync(string? ticket)
    {
        if (ticket is not { Length: 43 })
        {
            return null;
        }
        var json = await redis.GetDatabase().StringGetDeleteAsync(Key(ticket));
        return json.IsNullOrEmpty ? null : JsonSerializer.Deserialize<SsoLogoutTicket>(json.ToString());
    }

    private static RedisKey Key(string ticket) =>
        "sso-logout-ticket:" + WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.UTF8.GetBytes(ticket)));
}
