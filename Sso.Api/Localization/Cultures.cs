using System.Globalization;
using Microsoft.AspNetCore.Localization;

namespace AccessPlatform.Sso.Localization;

/// <summary>The same languages as Login.Api, so a choice made in its language selector carries over.</summary>
public static class Cultures
{
    public const string Default = "en";

    public static readonly IReadOnlyList<string> Supported = ["en", "de", "fr", "es", "it", "pt-BR", "hr", "pl", "tr", "ru", "zh-Hans", "ja"];

    /// <summary>
    /// Order: explicit choice (<c>?culture=</c>) > the cookie Login.Api's language selector sets on the same host >
    /// Accept-Language > English.
    /// </summary>
    public static void Configure(RequestLocalizationOptions options)
    {
        var cultures = Supported.Select(c => new CultureInfo(c)).ToList();
        options.DefaultRequestCulture = new RequestCulture(Default);
        options.SupportedCultures = cultures;
        options.SupportedUICultures = cultures;
        options.FallBackToParentCultures = true;
        options.FallBackToParentUICultures = true;
        options.RequestCultureProviders =
        [
            new QueryStringRequestCultureProvider(),
            new CookieRequestCultureProvider(),
            new AcceptLanguageHeaderRequestCultureProvider(),
        ];
    }
}
