using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>What every service behind the gateway shares: the client's address, and problem+json for every error.</summary>
public static class GatewayEdge
{
    /// <summary>Only the gateway talks to the services; it sets X-Forwarded-For to the real client address.</summary>
    public static TBuilder AddBehindGateway<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddProblemDetails();
        builder.Services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.ForwardLimit = 1;
            o.KnownIPNetworks.Clear();
            o.KnownProxies.Clear();
        });
        return builder;
    }

    public static WebApplication UseBehindGateway(this WebApplication app)
    {
        app.UseForwardedHeaders();
        // Malformed input (bad JSON, wrong content type) answers its own 4xx as problem+json, never a 500.
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        return app;
    }
}
