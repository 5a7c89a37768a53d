using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AccessPlatform.Sso.Login;

/// <summary>An AuthnRequest this browser started, waiting for its response.</summary>
/// <param name="TesterId">
/// Set only by the settings page's "Test sign-in" (an Account Manager of the account): the response then ends on the
/// result page, never in a session. Inside the encrypted cookie, so nobody turns a real login into a test or back.
/// </param>
public sealed record PendingRequest(string Account, string RequestId, string ReturnPath, Guid? TesterId = null);

/// <summary>A LogoutRequest this browser carries to the IdP, waiting for its LogoutResponse; the user is for the audit.</summary>
public sealed record PendingLogout(string Account, string RequestId, Guid UserId);

/// <summary>
/// SAML state. A pending AuthnRequest lives in the browser only: an HttpOnly cookie encrypted and authenticated with
/// the platform's shared Data Protection key ring (any replica reads it) and limited to
/// <see cref="SsoOptions.PendingRequestMinutes"/>, so an unauthenticated GET writes nothing to Redis. Redis holds only
/// what answered responses leave: the replay cache of assertion ids and the ids of requests already answered (one
/// response per request), both written after a valid cookie or a signed assertion, never by a bare GET.
/// </summary>
public sealed class SamlState(IConnectionMultiplexer redis, IDataProtectionProvider dataProtection, IOptions<SsoOptions> options,
    IHostEnvironment environment, TimeProvider clock)
{
    private readonly ITimeLimitedDataProtector protector =
        dataProtection.CreateProtector("AccessPlatform.Sso.PendingRequest.v1").ToTimeLimitedDataProtector();

    private readonly ITimeLimitedDataProtector logoutProtector =
        dataProtection.CreateProtector("AccessPlatform.Sso.PendingLogout.v1").ToTimeLimitedDataProtector();

    public string CookieName { get; } = environment.IsDevelopment() ? "ap_saml_req" : "__Host-ap_saml_req";

    /// <summary>The pending LogoutRequest's cookie: the IdP sends the browser back by a top-level GET (or POST), Lax suffices for the GET.</summary>
    public string LogoutCookieName { get; } = environment.IsDevelopment() ? "ap_saml_logout" : "__Host-ap_saml_logout";

    private TimeSpan Lifetime => TimeSpan.FromMinutes(options.Value.PendingRequestMinutes);

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
        MaxAge = Lifetime,
    };

    /// <summary>
    /// The LogoutResponse comes back by a top-level redirect (GET) or an auto-posted form; POST needs SameSite=None,
    /// which needs Secure, so development (plain http) gets Lax and the Redirect binding.
    /// </summary>
    public CookieOptions LogoutCookieOptions => CookieOptions;

    public string StartLogout(PendingLogout pending) => Seal(logoutProtector, pending);

    /// <summary>The pending LogoutRequest of this cookie, once (its id is marked answered like a login's).</summary>
    public Task<PendingLogout?> TakeLogoutAsync(string? cookie) => TakeOnceAsync<PendingLogout>(logoutProtector, cookie, p => p.RequestId);

    /// <summary>Replay cache of IdP LogoutRequest ids (add-if-absent), until they would be too old anyway.</summary>
    public Task<bool> TryRememberLogoutRequestAsync(string account, string requestId, DateTimeOffset until) =>
        redis.GetDatabase().StringSetAsync($"{LogoutRequestPrefix}{account}:{Hash(requestId)}", "1", ReplayTtl(until, clock.GetUtcNow()), When.NotExists);

    /// <returns>The cookie value: the pending request, encrypted, valid for <see cref="SsoOptions.PendingRequestMinutes"/>.</returns>
    public string Start(PendingRequest pending) => Seal(protector, pending);

    /// <summary>
    /// The pending request of this cookie, once: the first response that presents it marks its request id as answered
    /// (add-if-absent in Redis, until the cookie would have expired). Null for no, a forged, an expired or a used cookie.
    /// </summary>
    public Task<PendingRequest?> TakeAsync(string? cookie) => TakeOnceAsync<PendingRequest>(protector, cookie, p => p.RequestId);

    private string Seal<T>(ITimeLimitedDataProtector with, T pending) =>
        with.Protect(JsonSerializer.Serialize(pending), clock.GetUtcNow() + Lifetime);

    private async Task<T?> TakeOnceAsync<T>(ITimeLimitedDataProtector with, string? cookie, Func<T, string> requestId) where T : class
    {
        if (cookie is not { Length: > 0 and <= 2048 })
        {
            return null;
        }
        T? pending;
        DateTimeOffset expiration;
        try
        {
            pending = JsonSerializer.Deserialize<T>(with.Unprotect(cookie, out expiration));
        }
        catch (CryptographicException)
        {
            return null;
        }
        // Unprotect checks the expiry against the system clock; the platform's clock (tests move it) decides too.
        if (pending is null || expiration <= clock.GetUtcNow())
        {
            return null;
        }
        var ttl = expiration - clock.GetUtcNow() + TimeSpan.FromMinutes(1);
        return await redis.GetDatabase().StringSetAsync(AnsweredKey(requestId(pending)), "1", ttl, When.NotExists) ? pending : null;
    }

    /// <summary>Add-if-absent, atomic in Redis, so two concurrent posts of one assertion cannot both pass.</summary>
    public Task<bool> TryRememberAssertionAsync(string account, string assertionId, DateTimeOffset until)
    {
        var ttl = ReplayTtl(until, clock.GetUtcNow());
        return redis.GetDatabase().StringSetAsync(AssertionKey(account, assertionId), "1", ttl, When.NotExists);
    }

    /// <summary>How long a replay entry lives: until the validator's deadline, at least a second.</summary>
    public static TimeSpan ReplayTtl(DateTimeOffset until, DateTimeOffset now) =>
        until - now is var ttl && ttl >= TimeSpan.FromSeconds(1) ? ttl : TimeSpan.FromSeconds(1);

    /// <summary>Key prefixes this class writes, for operators (and tests) counting what SAML traffic leaves in Redis.</summary>
    public const string AnsweredPrefix = "saml-answered:";
    public const string AssertionPrefix = "saml-assertion:";
    public const string LogoutRequestPrefix = "saml-logout-request:";

    private static RedisKey AnsweredKey(string requestId) => AnsweredPrefix + Hash(requestId);

    private static RedisKey AssertionKey(string account, string assertionId) => $"{AssertionPrefix}{account}:{Hash(assertionId)}";

    private static string Hash(string value) => WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
