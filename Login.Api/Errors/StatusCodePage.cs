using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Errors;

/// <summary>
/// A browser that lands on a missing page, or gets another error without a body, sees a page in its language with the
/// platform's header instead of a blank one. API and internal calls keep their own answers (problem+json or none).
/// The page names no part of the request: nothing from the address is written into it.
/// </summary>
public static class StatusCodePage
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    public static void UseStatusCodePage(this WebApplication app) =>
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            if (!WantsPage(http.Request))
            {
                return;
            }
            var t = http.RequestServices.GetRequiredService<IStringLocalizer<AvailabilityResource>>();
            var notFound = http.Response.StatusCode == StatusCodes.Status404NotFound;
            var title = Html.Encode(t[notFound ? "Error_NotFound_Title" : "Error_Title"]);
            var text = Html.Encode(t[notFound ? "Error_NotFound_Text" : "Error_Text"]);
            var language = CultureInfo.CurrentUICulture.Name is { Length: > 0 } name ? name : "en";
            http.Response.ContentType = "text/html; charset=utf-8";
            await http.Response.WriteAsync(
                $"""
                <!doctype html>
                <html lang="{Html.Encode(language)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
                <title>{title} · Access Platform</title><link rel="stylesheet" href="/css/site.css"></head>
                <body><header class="top"><a class="brand" href="/">Access Platform</a></header>
                <main><section class="card"><h1>{title}</h1><p>{text}</p><p><a href="/">{Html.Encode(t["Error_Home"])}</a></p></section></main></body></html>
                """);
        });

    private static bool WantsPage(HttpRequest request) =>
        !request.Path.StartsWithSegments("/api") && !request.Path.StartsWithSegments("/internal")
        && request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));
}
