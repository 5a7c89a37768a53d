namespace AccessPlatform.Login.Devices;

/// <summary>The long-lived device id: HttpOnly, SameSite=Lax, Secure outside dev. It proves nothing on its own.</summary>
public sealed class DeviceCookie(IHostEnvironment environment)
{
    public string Name { get; } = environment.IsDevelopment() ? "ap_device" : "__Host-ap_device";

    public CookieOptions Options(TimeSpan lifetime) => new()
    {
        HttpOnly = true,
        Secure = !environment.IsDevelopment(),
        SameSite = SameSiteMode.Lax,
        Path = "/",
        IsEssential = true,
        MaxAge = lifetime,
    };

    public string? Read(HttpContext http) =>
        http.Request.Cookies.TryGetValue(Name, out var id) && id is { Length: >= 40 and <= 64 } ? id : null;
}
