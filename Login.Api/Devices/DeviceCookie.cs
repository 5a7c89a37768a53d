using System.Security.Cryptography;
using System.Text;

namespace AccessPlatform.Login.Devices;

/// <summary>
/// Device trust lives in one cookie per user of a browser (<c>ap_device_&lt;user key&gt;</c>), each holding a random
/// secret issued for that user alone when their second factor passed: users sharing a browser never see a value that
/// unlocks another user's trust. HttpOnly, SameSite=Lax, Secure outside dev. A value proves nothing without the row it
/// was issued with (user, hash of the value).
/// </summary>
public sealed class DeviceCookie(IHostEnvironment environment)
{
    /// <summary>At most this many trust cookies are looked at per login (a browser shared by more users asks again).</summary>
    public const int MaxCandidates = 16;

    public string Prefix { get; } = environment.IsDevelopment() ? "ap_device" : "__Host-ap_device";

    /// <summary>The cookie for one user: a short hash of the user id, so re-trusting replaces that user's cookie only.</summary>
    public string NameFor(Guid userId) => $"{Prefix}_{Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(userId.ToString("N"))))[..16]}";

    public CookieOptions Options(TimeSpan lifetime) => new()
    {
        HttpOnly = true,
        Secure = !environment.IsDevelopment(),
        SameSite = SameSiteMode.Lax,
        Path = "/",
        IsEssential = true,
        MaxAge = lifetime,
    };

    /// <summary>Every trust value this browser holds; which of them (if any) belongs to the user, only the store knows.</summary>
    public IReadOnlyList<string> Candidates(HttpContext http) =>
    [
        .. http.Request.Cookies
            .Where(c => c.Key.StartsWith(Prefix, StringComparison.Ordinal) && c.Value is { Length: >= 40 and <= 64 })
            .Select(c => c.Value)
            .Take(MaxCandidates),
    ];
}
