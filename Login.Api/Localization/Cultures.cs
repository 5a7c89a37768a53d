using System.Globalization;
using System.Security.Claims;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Localization;

namespace AccessPlatform.Login.Localization;

public static class Cultures
{
    public const string Default = "en";

    /// <summary>Every language the pages and messages are translated into, with its own name for the selector.</summary>
    public static readonly IReadOnlyList<(string Code, string NativeName)> Supported =
    [
        ("en", "English"), ("de", "Deutsch"), ("fr", "Français"), ("es", "Español"), ("it", "Italiano"),
        ("pt-BR", "Português (Brasil)"), ("hr", "Hrvatski"), ("pl", "Polski"), ("tr", "Türkçe"), ("ru", "Русский"),
        ("zh-Hans", "中文（简体）"), ("ja", "日本語"),
    ];

    public static bool IsSupported(string? code) => code is not null && Supported.Any(c => string.Equals(c.Code, code, StringComparison.OrdinalIgnoreCase));

    public static string Normalize(string? code) =>
        Supported.FirstOrDefault(c => string.Equals(c.Code, code, StringComparison.OrdinalIgnoreCase)).Code ?? Default;

    /// <summary>
    /// Order: explicit choice (<c>?culture=</c>) > cookie > the signed-in user's saved preference > Accept-Language > English.
    /// </summary>
    public static void Configure(RequestLocalizationOptions options)
    {
        var cultures = Supported.Select(c => new CultureInfo(c.Code)).ToList();
        options.DefaultRequestCulture = new RequestCulture(Default);
        options.SupportedCultures = cultures;
        options.SupportedUICultures = cultures;
        options.FallBackToParentCultures = true;
        options.FallBackToParentUICultures = true;
        options.RequestCultureProviders =
        [
            new QueryStringRequestCultureProvider(),
            new CookieRequestCultureProvider(),
            new CustomRequestCultureProvider(http =>
                Task.FromResult(http.User.FindFirstValue(SessionClaims.Language) is { } lang && IsSupported(lang)
                    ? new ProviderCultureResult(lang)
                    : null)),
            new AcceptLanguageHeaderRequestCultureProvider(),
        ];
    }

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
