using System.Globalization;
using System.Security.Claims;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Localization;

namespace AccessPlatform.Login.Localization;

/// <summary>The platform's languages (ServiceDefaults' <see cref="PlatformCultures"/>) plus what only Login.Api knows: the signed-in user's preference.</summary>
public static class Cultures
{
    public static IReadOnlyList<(string Code, string NativeName)> Supported => PlatformCultures.Supported;

    public static bool IsSupported(string? code) => PlatformCultures.IsSupported(code);

    public static string Normalize(string? code) => PlatformCultures.Normalize(code);

    /// <summary>Explicit choice > cookie > the signed-in user's saved preference > Accept-Language > English.</summary>
    public static void Configure(RequestLocalizationOptions options) =>
        PlatformCultures.Configure(options, new CustomRequestCultureProvider(http =>
            Task.FromResult(http.User.FindFirstValue(SessionClaims.Language) is { } lang && IsSupported(lang)
                ? new ProviderCultureResult(lang)
                : null)));

    /// <summary>Runs <paramref name="action"/> with the UI culture of a message's recipient.</summary>
    public static T In<T>(string language, Func<T> action)
    {
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = new CultureInfo(Normalize(language));
        try
        {
            return action();
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }
}
