using System.Security.Cryptography;
using System.Text;

namespace AccessPlatform.Login.Flow;

/// <summary>Binds a waiting flow to the browser or client that started it: HttpOnly, SameSite=Strict, random, only its hash stored.</summary>
public sealed class LoginBindingCookie(IHostEnvironment environment)
{
    public string Name { get; } = environment.IsDevelopment() ? "ap_login_bind" : "__Host-ap_login_bind";

    public CookieOptions Options(TimeSpan lifetime) => new()
    {
        HttpOnly = true,
        Secure = !environment.IsDevelopment(),
        SameSite = SameSiteMode.Strict,
        Path = "/",
        MaxAge = lifetime,
    };

    public string? Read(HttpContext http) =>
        http.Request.Cookies.TryGetValue(Name, out var value) && value is { Length: 43 } ? value : null;

    public static string HashOf(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
