namespace AccessPlatform.Login.Flow;

/// <summary>What the login steps know about the request, read once at the edge.</summary>
/// <param name="ChosenLanguage">A language the user chose (selector cookie or explicit choice), if any.</param>
public sealed record LoginContext(string? Ip, string DeviceLabel, string? ChosenLanguage)
{
    public static LoginContext From(HttpContext http)
    {
        var culture = http.Features.Get<Microsoft.AspNetCore.Localization.IRequestCultureFeature>();
        var chosen = culture?.Provider is Microsoft.AspNetCore.Localization.QueryStringRequestCultureProvider
            or Microsoft.AspNetCore.Localization.CookieRequestCultureProvider
            ? culture.RequestCulture.UICulture.Name
            : null;
        return new(http.Connection.RemoteIpAddress?.ToString(), DeviceLabels.FromUserAgent(http.Request.Headers.UserAgent.ToString()), chosen);
    }
}

/// <summary>A short human label for a device ("Firefox on Windows"), for session and device lists.</summary>
public static class DeviceLabels
{
    public static string FromUserAgent(string userAgent)
    {
        var browser = userAgent switch
        {
            var ua when ua.Contains("Edg/") => "Edge",
            var ua when ua.Contains("Firefox/") => "Firefox",
            var ua when ua.Contains("Chrome/") || ua.Contains("Chromium/") => "Chrome",
            var ua when ua.Contains("Safari/") => "Safari",
            var ua when ua.Length == 0 => "Unknown browser",
            _ => "Other client",
        };
        var os = userAgent switch
        {
            var ua when ua.Contains("Android") => "Android",
            var ua when ua.Contains("iPhone") || ua.Contains("iPad") => "iOS",
            var ua when ua.Contains("Windows") => "Windows",
            var ua when ua.Contains("Mac OS X") => "macOS",
            var ua when ua.Contains("Linux") => "Linux",
            _ => null,
        };
        return os is null ? browser : $"{browser} on {os}";
    }
}
