using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Sso.Login;

/// <summary>
/// The pages a browser may see from the SAML endpoints, in the request's language (texts in Resources/SsoResource*.resx).
/// Refusals are generic on purpose: the reason goes to the audit log only.
/// </summary>
public static class SsoPages
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    public static IResult Unavailable(HttpContext http) => Page(http, "Page_Unavailable_Title", "Page_Unavailable_Text", StatusCodes.Status404NotFound);

    public static IResult Refused(HttpContext http) => Page(http, "Page_Refused_Title", "Page_Refused_Text", StatusCodes.Status403Forbidden);

    public static IResult Busy(HttpContext http) => Page(http, "Page_Busy_Title", "Page_Busy_Text", StatusCodes.Status503ServiceUnavailable);

    /// <summary>After single logout: signed out of the platform, and whether the IdP confirmed its side.</summary>
    public static IResult SignedOut(HttpContext http, bool confirmedByIdp, int status) =>
        Page(http, "Slo_SignedOut_Title", confirmedByIdp ? "Slo_SignedOut_Text" : "Slo_NotConfirmed_Text", status);

    /// <summary>
    /// The "Test sign-in" tab on its way to the IdP. The form that opened it may not redirect across origins
    /// (CSP <c>form-action 'self'</c> also governs a form's redirects), so this same-origin page goes on by a meta
    /// refresh, with the link for anyone whose browser does not follow it.
    /// </summary>
    public static string ContinueToIdpHtml(HttpContext http, string idpUrl)
    {
        var t = http.RequestServices.GetRequiredService<IStringLocalizer<SsoResource>>();
        var language = CultureInfo.CurrentUICulture.Name is { Length: > 0 } name ? name : "en";
        var title = Html.Encode(t["Test_Continue_Title"]);
        var url = Html.Encode(idpUrl);
        return $"""
            <!doctype html>
            <html lang="{Html.Encode(language)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="refresh" content="0;url={url}"><meta name="referrer" content="no-referrer">
            <title>{title} · Access Platform</title><link rel="stylesheet" href="/css/site.css"></head>
            <body><header class="top"><a class="brand" href="/">Access Platform</a></header>
            <main><section class="card"><h1>{title}</h1><p><a id="continue-to-idp" href="{url}">{Html.Encode(t["Test_Continue_Link"])}</a></p></section></main></body></html>
            """;
    }

    private static IResult Page(HttpContext http, string titleKey, string textKey, int status)
    {
        // UseRequestLocalization has set the UI culture from ?culture=, the language cookie or Accept-Language.
        var t = http.RequestServices.GetRequiredService<IStringLocalizer<SsoResource>>();
        var language = CultureInfo.CurrentUICulture.Name is { Length: > 0 } name ? name : "en";
        var title = Html.Encode(t[titleKey]);
        return TypedResults.Content(
            $"""
            <!doctype html>
            <html lang="{Html.Encode(language)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{title} · Access Platform</title><link rel="stylesheet" href="/css/site.css"></head>
            <body><header class="top"><a class="brand" href="/">Access Platform</a></header>
            <main><section class="card"><h1>{title}</h1><p>{Html.Encode(t[textKey])}</p><p><a href="/login">{Html.Encode(t["Page_SignIn"])}</a></p></section></main></body></html>
            """,
            "text/html; charset=utf-8", statusCode: status);
    }
}
