using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Cross-site request forgery on the JSON APIs. A state-changing <c>/api</c> call that the session cookie
/// authenticates must show it was not sent by another site's page (SameSite=Lax alone lets a sibling subdomain through):
/// <list type="bullet">
/// <item>an <c>Origin</c>, when sent, must be the platform's public origin (browsers send it on every cross-origin
/// request; <c>null</c> counts as foreign), and a <c>Sec-Fetch-Site</c>, when sent, must say same-origin or none;</item>
/// <item>and either the antiforgery header of our pages, or a JSON content type on POST. A form or <c>text/plain</c>
/// POST is what another site can send without CORS; <c>application/json</c> needs a preflight the platform never
/// grants. PUT, PATCH and DELETE cannot be sent cross-origin without that preflight at all.</item>
/// </list>
/// Anything else answers 403 problem+json before the endpoint runs, so nothing changes. Anonymous calls (login,
/// resets) carry no session to abuse and are left to their own validation.
/// </summary>
public sealed class CookieApiCsrfGuard(RequestDelegate next, IConfiguration configuration, IServiceProvider services)
{
    private readonly string? publicOrigin = Normalize(configuration["PublicOrigin"]);

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments("/api") || IsSafe(request.Method) || context.User.Identity?.IsAuthenticated != true
            || await IsSameOriginAsync(context))
        {
            await next(context);
            return;
        }
        await TypedResults.Problem(title: "Cross-site request refused",
            detail: "Send API calls as application/json from the platform's own origin, or with the antiforgery header of its pages.",
            statusCode: StatusCodes.Status403Forbidden, type: "https://access-platform/problems/cross-site-request").ExecuteAsync(context);
    }

    private async Task<bool> IsSameOriginAsync(HttpContext context)
    {
        var headers = context.Request.Headers;
        if (headers.Origin.Count > 0 && (publicOrigin is null || Normalize(headers.Origin.ToString()) != publicOrigin))
        {
            return false;
        }
        if (headers["Sec-Fetch-Site"].ToString() is { Length: > 0 } site && site is not ("same-origin" or "none"))
        {
            return false;
        }
        if (services.GetService<IAntiforgery>() is { } antiforgery
            && services.GetRequiredService<IOptions<AntiforgeryOptions>>().Value.HeaderName is { } header
            && headers.ContainsKey(header))
        {
            return await antiforgery.IsRequestValidAsync(context);
        }
        return !HttpMethods.IsPost(context.Request.Method) || IsJson(context.Request.ContentType);
    }

    private static bool IsSafe(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    private static bool IsJson(string? contentType) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));

    private static string? Normalize(string? origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant()
            : null;
}
