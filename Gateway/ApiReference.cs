using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

namespace AccessPlatform.Gateway;

/// <summary>
/// The browsable API reference at <c>/docs</c> (Scalar, from its bundled assets: nothing is loaded from a CDN), listing
/// the services' OpenAPI documents, which YARP routes as <c>/openapi/login.json</c> and <c>/openapi/sso.json</c>.
/// </summary>
public static class ApiReference
{
    public const string Path = "/docs";
    public const string DocumentsPath = "/openapi";

    /// <summary>What the Scalar page needs beyond the platform's CSP: its nonced inline start-up script and the styles it injects.</summary>
    public static string ContentSecurityPolicy(string nonce) =>
        $"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    public static WebApplication MapApiReference(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.ApiReference.IsEnabled(app.Environment))
        {
            return app;
        }
        app.MapScalarApiReference(Path, options => options
            .WithTitle("Access Platform API")
            .AddDocument("login", "Login API", $"{DocumentsPath}/login.json", isDefault: true)
            .AddDocument("sso", "SSO API", $"{DocumentsPath}/sso.json")
            // Nothing leaves the platform's origin: no CDN fonts, no telemetry, no hosted AI agent or MCP.
            .DisableDefaultFonts()
            .DisableTelemetry()
            .DisableAgent()
            .DisableMcp()
            // A fresh nonce per response lets its one inline script run under a CSP without 'unsafe-inline' scripts.
            .WithNonce())
            .RequireRateLimiting(GatewayExtensions.GeneralPolicy);
        return app;
    }
}
