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
/// <item>an <c>Origin</c>, when sent, must be the platform's public origin (browsers send it on every POST, PUT, PATCH
/// and DELETE, as <c>null</c> when they hide it, which counts as foreign), and a <c>Sec-Fetch-Site</c>, when sent,
/// must say same-origin or none. No <c>Origin</c> at all is a script or API client, not a browser.</item>
/// <item>a body in one of the content types an HTML form can send cross-site without CORS
/// (<c>application/x-www-form-urlencoded</c>, <c>multipart/form-data</c>, <c>text/plain</c>) also needs the
/// antiforgery header of our pages. JSON needs a CORS preflight the platform never grants, so it stays a same-origin
/// or non-browser call.</item>
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
        if (!IsFormSendable(context.Request.ContentType))
        {
            return true;
        }
        return services.GetService<IAntiforgery>() is { } antiforgery
            && services.GetRequiredService<IOptions<AntiforgeryOptions>>().Value.HeaderName is { } header
            && headers.ContainsKey(header)
            && await antiforgery.IsRequestValidAsync(context);
    }

    private static bool IsSafe(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    /// <summary>The CORS-safelisted body types: what a page on another site can post without asking (an unparsable type counts).</summary>
    private static bool IsFormSendable(string? contentType) =>
        contentType is not null
        && (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media)
            || media.MediaType.Value?.ToLowerInvariant() is "application/x-www-form-urlencoded" or "multipart/form-data" or "text/plain");

    private static string? Normalize(string? origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant()
            : null;
}
