using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Localization;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The languages every page and message of the platform is translated into, and how a request picks one. One list
/// for all services, so a choice made in Login.Api's selector carries over to Sso.Api's pages.
/// </summary>
public static class PlatformCultures
{
    public const string Default = "en";

    /// <summary>Each language with its own name, for the selector.</summary>
    public static readonly IReadOnlyList<(string Code, string NativeName)> Supported =
    [
        ("en", "English"), ("de", "Deutsch"), ("fr", "Français"), ("es", "Español"), ("it", "Italiano"),
        ("pt-BR", "Português (Brasil)"), ("hr", "Hrvatski"), ("pl", "Polski"), ("tr", "Türkçe"), ("ru", "Русский"),
        ("zh-Hans", "中文（简体）"), ("ja", "日本語"),
    ];

    public static bool IsSupported(string? code) =>
        code is not null && Supported.Any(c => string.Equals(c.Code, code, StringComparison.OrdinalIgnoreCase));

    public static string Normalize(string? code) =>
        Supported.FirstOrDefault(c => string.Equals(c.Code, code, StringComparison.OrdinalIgnoreCase)).Code ?? Default;

    /// <summary>
    /// Order: explicit choice (<c>?culture=</c>) > the culture cookie > <paramref name="signedInPreference"/> (a
    /// service that knows the user) > Accept-Language > English.
    /// </summary>
    public static void Configure(RequestLocalizationOptions options, RequestCultureProvider? signedInPreference = null)
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
            .. signedInPreference is null ? Array.Empty<RequestCultureProvider>() : [signedInPreference],
            new AcceptLanguageHeaderRequestCultureProvider(),
        ];
    }

    /// <summary>
    /// Keeps a language choice in the culture cookie every service reads (one host behind the gateway, path /), for a
    /// year. <paramref name="code"/> must be one of <see cref="Supported"/>.
    /// </summary>
    public static void AppendCultureCookie(HttpResponse response, string code, bool secure) =>
        response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(Normalize(code))),
            new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = secure, IsEssential = true });
}
