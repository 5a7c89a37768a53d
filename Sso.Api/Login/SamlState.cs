using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AccessPlatform.Sso.Login;

/// <summary>An AuthnRequest this browser started, waiting for its response.</summary>
public sealed record PendingRequest(string Account, string RequestId, string ReturnPath);

/// <summary>
/// SAML state in Redis: pending AuthnRequests, keyed by the hash of a random value in the browser's HttpOnly cookie
/// (so a response answers only the browser that asked, and only once), and the replay cache of assertion ids.
/// </summary>
public sealed class SamlState(IConnectionMultiplexer redis, IOptions<SsoOptions> options, IHostEnvironment environment, TimeProvider clock)
{
    public string CookieName { get; } = environment.IsDevelopment() ? "ap_saml_req" : "__Host-ap_saml_req";

    /// <summary>
    /// The IdP posts the response cross-site, so outside development the cookie must be SameSite=None (and Secure).
    /// Development runs on plain http, where browsers refuse None without Secure: Lax serves a same-site local IdP.
    /// </summary>
    public CookieOptions CookieOptions => new()
    {
        HttpOnly = true,
        Secure = !environment.IsDevelopment(),
        SameSite = environment.IsDevelopment() ? SameSiteMode.Lax : SameSiteMode.None,
        Path = "/",
        IsEssential = true,
        MaxAge = TimeSpan.FromMinutes(options.Value.PendingRequestMinutes),
    };

    /// <returns>The cookie value that binds the request to this browser.</returns>
    public async Task<string> StartAsync(PendingRequest pending)
    {
        var secret = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        await redis.GetDatabase().StringSetAsync(PendingKey(secret), JsonSerializer.Serialize(pending),
            TimeSpan.FromMinutes(options.Value.PendingRequestMinutes));
        return secret;
    }

    /// <summary>Takes the pending request (deleting it: single use); null when there is none.</summary>
    public async Task<PendingRequest?> TakeAsync(string? secret)
    {
        if (secret is not { Length: 43 })
        {
            return null;
        }
        var json = await redis.GetDatabase().StringGetDeleteAsync(PendingKey(secret));
        return json.IsNullOrEmpty ? null : JsonSerializer.Deserialize<PendingRequest>(json.ToString());
    }

    /// <summary>Add-if-absent, atomic in Redis, so two concurrent posts of one assertion cannot both pass.</summary>
    public bool TryRememberAssertion(string account, string assertionId, DateTimeOffset until)
    {
        var ttl = until - clock.GetUtcNow();
        if (ttl < TimeSpan.FromSeconds(1))
        {
            ttl = TimeSpan.FromSeconds(1);
        }
        // The validator's callback is synchronous; this is one short round trip.
        return redis.GetDatabase().StringSet(AssertionKey(account, assertionId), "1", ttl, When.NotExists);
    }

    private static RedisKey PendingKey(string secret) => "saml-pending:" + Hash(secret);

    private static RedisKey AssertionKey(string account, string assertionId) => $"saml-assertion:{account}:{Hash(assertionId)}";

    private static string Hash(string value) => WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
