using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The texts of the "temporarily unavailable" page: keys <c>Unavailable_Title</c>, <c>Unavailable_Text</c> and
/// <c>Unavailable_Retry</c> in the service's resource family <paramref name="Resource"/>.
/// </summary>
public sealed record UnavailablePageTexts(Type Resource);

/// <summary>
/// A dependency that is down is an outage, not a bug: the request answers 503 with <c>Retry-After</c> at once —
/// problem+json for APIs, a short page in the browser's language for pages — instead of a 500 after the library's
/// own timeouts. One place for every service, beside <see cref="ClientErrorExceptionHandler"/>.
/// </summary>
public sealed partial class DependencyUnavailableExceptionHandler(
    IProblemDetailsService problems, IOptions<DependencyOptions> options, ILogger<DependencyUnavailableExceptionHandler> logger) : IExceptionHandler
{
    public const string ProblemType = "https://access-platform/problems/temporarily-unavailable";

    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (DependencyUnavailableException.DependencyOf(exception) is not { } dependency || http.Response.HasStarted)
        {
            return false;
        }
        // The exception's type only: messages of driver exceptions name hosts and may quote commands.
        LogUnavailable(logger, dependency, http.Request.Method, http.Request.Path, exception.GetType().Name);
        var retryAfter = options.Value.RetryAfterSeconds;
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        http.Response.Headers.CacheControl = "no-store";
        if (WantsPage(http.Request))
        {
            await WritePageAsync(http);
            return true;
        }
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Type = ProblemType,
                Title = "Temporarily unavailable",
                Detail = $"A part of the service is not reachable right now. Nothing was changed; please try again in {retryAfter} seconds.",
            },
        });
    }

    /// <summary>A browser navigating to a page (not an API or internal call) gets HTML.</summary>
    private static bool WantsPage(HttpRequest request) =>
        !request.Path.StartsWithSegments("/api") && !request.Path.StartsWithSegments("/internal")
        && request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));

    private static async Task WritePageAsync(HttpContext http)
    {
        var culture = await CultureOfAsync(http);
        var texts = http.RequestServices.GetService<UnavailablePageTexts>();
        var localizer = texts is null ? null : http.RequestServices.GetRequiredService<IStringLocalizerFactory>().Create(texts.Resource);
        string Text(string key, string english)
        {
            if (localizer is null)
            {
                return english;
            }
            var previous = CultureInfo.CurrentUICulture;
            CultureInfo.CurrentUICulture = culture;
            try
            {
                return localizer[key] is { ResourceNotFound: false } found ? found.Value : english;
            }
            finally
            {
                CultureInfo.CurrentUICulture = previous;
            }
        }
        var title = Html.Encode(Text("Unavailable_Title", "Temporarily unavailable"));
        http.Response.ContentType = "text/html; charset=utf-8";
        // The link reloads this address (an empty href): no path from the request is written into the page.
        await http.Response.WriteAsync(
            $"""
            <!doctype html>
            <html lang="{Html.Encode(culture.Name)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{title} · Access Platform</title><link rel="stylesheet" href="/css/site.css"></head>
            <body><header class="top"><a class="brand" href="/">Access Platform</a></header>
            <main><section class="card"><h1>{title}</h1><p>{Html.Encode(Text("Unavailable_Text", "A part of the service is not reachable right now. Nothing was changed. Please try again in a moment."))}</p>
            <p><a href="">{Html.Encode(Text("Unavailable_Retry", "Try again"))}</a></p></section></main></body></html>
            """);
    }

    /// <summary>
    /// The request's language. The localization middleware may not have run (the failure can come from authentication,
    /// before it), so the providers are asked here; one that needs the missing dependency is skipped.
    /// </summary>
    private static async Task<CultureInfo> CultureOfAsync(HttpContext http)
    {
        if (http.Features.Get<IRequestCultureFeature>() is { } feature)
        {
            return feature.RequestCulture.UICulture;
        }
        var options = http.RequestServices.GetService<IOptions<RequestLocalizationOptions>>()?.Value;
        var supported = options?.SupportedUICultures ?? [];
        foreach (var provider in options?.RequestCultureProviders ?? [])
        {
            ProviderCultureResult? result;
            try
            {
                result = await provider.DetermineProviderCultureResult(http);
            }
            catch (Exception ex) when (DependencyUnavailableException.DependencyOf(ex) is not null)
            {
                continue;
            }
            foreach (var name in result?.UICultures ?? [])
            {
                var match = supported.FirstOrDefault(c => string.Equals(c.Name, name.Value, StringComparison.OrdinalIgnoreCase))
                    ?? supported.FirstOrDefault(c => name.Value is { } v && v.StartsWith(c.Name + "-", StringComparison.OrdinalIgnoreCase));
                if (match is not null)
                {
                    return match;
                }
            }
        }
        return options?.DefaultRequestCulture.UICulture ?? CultureInfo.InvariantCulture;
    }

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Dependency {Dependency} unavailable for {Method} {Path}: {ExceptionType}; answered 503")]
    private static partial void LogUnavailable(ILogger logger, string dependency, string method, string path, string exceptionType);
}
