using AccessPlatform.Sso.Admin;
using AccessPlatform.Sso.Data;
using AccessPlatform.Sso.Login;
using Microsoft.AspNetCore.Authentication;

namespace AccessPlatform.Sso;

public static class SsoServices
{
    public static void AddSsoServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        builder.AddNpgsqlDataSource("sso-db");
        builder.AddRedisClient("redis");
        builder.AddPlatformDataProtection();

        services.AddOptions<SsoOptions>().BindConfiguration(SsoOptions.Section).Configure<IConfiguration, IHostEnvironment>((o, configuration, environment) =>
        {
            // The AppHost gives every service the public origin at the top level.
            o.PublicOrigin = configuration["PublicOrigin"] ?? o.PublicOrigin;
            o.AllowHttpIdp = configuration.GetValue<bool?>("Sso:AllowHttpIdp") ?? environment.IsDevelopment();
        });
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<SsoConnectionStore>();
        services.AddSingleton<SamlState>();
        services.AddScoped<SsoSettingsService>();
        // Service discovery resolves http://login-api through the AppHost's reference.
        services.AddHttpClient<LoginApiBridge>(http => http.BaseAddress = new Uri("http://login-api"));

        services.AddLocalization(o => o.ResourcesPath = "Resources");
        services.Configure<RequestLocalizationOptions>(o => PlatformCultures.Configure(o));
        // Razor and the SAML pages write non-Latin text as is rather than as numeric character references.
        services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o =>
            o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        services.AddRazorPages(o => o.Conventions.AuthorizeFolder("/Admin", AdminClaims.Policy)).AddViewLocalization();
        services.AddAntiforgery(o =>
        {
            // Not Login.Api's cookie name: both services sit behind one host, each with its own keys.
            o.Cookie.Name = builder.Environment.IsDevelopment() ? "ap_sso_antiforgery" : "__Host-ap_sso_antiforgery";
            o.Cookie.SecurePolicy = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
        });
        services.AddAuthentication(AdminClaims.Scheme)
            .AddScheme<AuthenticationSchemeOptions, LoginSessionAuthenticationHandler>(AdminClaims.Scheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(AdminClaims.Policy, p => p.RequireRole(AdminClaims.AccountManager));

        // The assertion consumer takes signed SAML responses; the gateway's sso route has the same limit.
        builder.AddBehindGateway(RequestBodyLimits.SamlPost);
    }

    public static void UseSsoPipeline(this WebApplication app)
    {
        app.UseBehindGateway();
        app.UseAuthentication();
        app.UseCookieApiCsrfGuard();
        app.UseRequestLocalization();
        app.UseAuthorization();
        app.UseAntiforgery();
    }
}
