using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>Where a service behind the gateway takes its client's address from.</summary>
public sealed class EdgeOptions
{
    public const string Section = "Edge";

    /// <summary>
    /// The gateway's addresses (CIDR or single addresses). Only a peer in this list may say who the client is with
    /// <c>X-Forwarded-For</c>/<c>-Proto</c>; anyone else reaching the service's port is taken at its TCP address.
    /// The AppHost sets loopback in dev; empty trusts nobody.
    /// </summary>
    public string[] TrustedProxies { get; set; } = [];
}

/// <summary>
/// What every service behind the gateway shares: the client's address (from the gateway only), one body-size limit,
/// problem+json for every error, client mistakes logged as such, and CSRF protection of its cookie-authenticated APIs.
/// </summary>
public static class GatewayEdge
{
    /// <param name="maxRequestBodyBytes">The service's body limit; the gateway's limit for its routes is never larger.</param>
    public static TBuilder AddBehindGateway<TBuilder>(this TBuilder builder, long maxRequestBodyBytes = RequestBodyLimits.Default)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ClientErrorExceptionHandler>();
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = maxRequestBodyBytes);
        builder.Services.AddOptions<EdgeOptions>().BindConfiguration(EdgeOptions.Section)
            .Validate(o => TrustedNetworks.TryParse(o.TrustedProxies, out _, out _),
                "Edge:TrustedProxies holds an entry that is neither an IP address nor a CIDR network.")
            .ValidateOnStart();
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<EdgeOptions>>((o, edge) =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // The gateway sets exactly one entry (the client it saw); anything further left was written by the client.
            o.ForwardLimit = 1;
            o.TrustOnly(TrustedNetworks.Parse(edge.Value.TrustedProxies));
        });
        return builder;
    }

    public static WebApplication UseBehindGateway(this WebApplication app)
    {
        app.UseForwardedHeaders();
        // Malformed input (bad JSON, wrong content type, too large) answers its own 4xx as problem+json, never a 500,
        // and is logged at Information by ClientErrorExceptionHandler, not as an unhandled error. A dependency that is
        // down answers 503 + Retry-After (DependencyUnavailableExceptionHandler, registered by AddDependencyUnavailableHandling).
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode
                : DependencyUnavailableException.DependencyOf(ex) is not null ? StatusCodes.Status503ServiceUnavailable
                : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>After authentication: cookie-authenticated API writes must prove they come from our own pages or a non-browser client.</summary>
    public static WebApplication UseCookieApiCsrfGuard(this WebApplication app)
    {
        app.UseMiddleware<CookieApiCsrfGuard>();
        return app;
    }
}
