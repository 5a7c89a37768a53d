using Microsoft.Extensions.Options;

namespace AccessPlatform.Gateway;

/// <summary>
/// What every response from the public entry gets: internal paths hidden, oversized bodies refused early (per route),
/// and security headers on the way out.
/// </summary>
public sealed class EdgeMiddleware(RequestDelegate next, IOptions<GatewayOptions> options, IHostEnvironment environment)
{
    private const string ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; " +
        "base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    public async Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(() => AddSecurityHeaders(context));

        if (context.Request.Path.StartsWithSegments("/internal")
            || (context.Request.Path.StartsWithSegments(ApiReference.DocumentsPath) && !options.Value.ApiReference.IsEnabled(environment)))
        {
            await TypedResults.Problem(title: "Not found", statusCode: StatusCodes.Status404NotFound).ExecuteAsync(context);
            return;
        }

        // The matched route's limit (that of the service behind it), so a body the service would refuse halfway
        // through is refused here whole, as 413 problem+json, and never becomes a 502.
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<Yarp.ReverseProxy.Model.RouteModel>()?.Config.MaxRequestBodySize
            ?? options.Value.MaxRequestBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            await TypedResults.Problem(title: "Request too large", detail: $"The request body may be at most {limit} bytes.",
                statusCode: StatusCodes.Status413PayloadTooLarge).ExecuteAsync(context);
            return;
        }
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit; // chunked bodies without a length
        }

        await next(context);
    }

    private Task AddSecurityHeaders(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
        if (context.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true)
        {
            headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments(ApiReference.Path)
                && context.Items[Scalar.AspNetCore.ScalarOptions.NonceHttpContextItemKey] is string nonce
                    ? ApiReference.ContentSecurityPolicy(nonce)
                    : ContentSecurityPolicy;
        }
        if (!environment.IsDevelopment())
        {
            headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
        }
        return Task.CompletedTask;
    }
}
