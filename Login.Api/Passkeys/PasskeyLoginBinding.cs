using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;

namespace AccessPlatform.Login.Passkeys;

/// <summary>
/// Binds a passwordless sign-in's challenge to the browser or client that asked for it: a random secret in an
/// HttpOnly, SameSite=Strict cookie, the challenge stored under its hash for the challenge's lifetime. An
/// assertion presented from elsewhere finds no challenge.
/// </summary>
public sealed class PasskeyLoginBinding(IHostEnvironment environment)
{
    public const string Purpose = "sign-in";

    public string Name { get; } = environment.IsDevelopment() ? "ap_passkey_bind" : "__Host-ap_passkey_bind";

    /// <summary>A new secret, set as the cookie; the caller stores the challenge under it.</summary>
    public string Issue(HttpContext http, TimeSpan lifetime)
    {
        var secret = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        http.Response.Cookies.Append(Name, secret, new CookieOptions
        {
            HttpOnly = true,
            Secure = !environment.IsDevelopment(),
            SameSite = SameSiteMode.Strict,
            Path = "/",
            MaxAge = lifetime,
        });
        return secret;
    }

    /// <summary>The secret, once: the cookie is deleted as it is read.</summary>
    public string? Take(HttpContext http)
    {
        if (!http.Request.Cookies.TryGetValue(Name, out var value) || value is not { Length: 43 })
        {
            return null;
        }
        http.Response.Cookies.Delete(Name, new CookieOptions { Path = "/", Secure = !environment.IsDevelopment(), SameSite = SameSiteMode.Strict });
        return value;
    }
}
