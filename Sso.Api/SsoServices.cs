using AccessPlatform.Sso.Admin;
using AccessPlatform.Sso.Data;
using AccessPlatform.Sso.Login;
using AccessPlatform.Sso.Metadata;
using AccessPlatform.Sso.Telemetry;
using Microsoft.AspNetCore.Authentication;

namespace AccessPlatform.Sso;

public static class SsoServices
{
    public static void AddSsoServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        builder.AddPlatformNpgsqlDataSource("sso-db");
        builder.AddPlatformRedisClient("redis");
        builder.AddPlatformDataProtection();
        builder.AddDependencyUnavailableHandling<WebApplicationBuilder, SsoResource>();

        services.AddOptions<SsoOptions>().BindConfiguration(SsoOptions.Section).Configure<IConfiguration, IHostEnvironment>((o, configuration, environment) =>
        {
            // The AppHost gives every service the public origin at the top level.
            o.PublicOrigin = configuration["PublicOrigin"] ?? o.PublicOrigin;
            o.AllowHttpIdp = configuration.GetValue<bool?>("Sso:AllowHttpIdp") ?? environment.IsDevelopment();
        }).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddMemoryCache();
        services.AddSingleton<SpSigningKeys>();
        services.AddSingleton<SsoConnectionStore>();
        services.AddSingleton<CertificateExpiryMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<CertificateExpiryMonitor>());
        services.AddHealthChecks().AddCheck<CertificateExpiryMonitor>("sso-certificates", tags: [Extensions.WarningTag]);
        services.AddSingleton<SamlState>();
        services.AddScoped<SsoSettingsService>();
        // IdP metadata by URL: the SSRF-safe fetcher, and its refresh (issue 16). The test switches never run in production.
        services.AddOptions<MetadataFetchOptions>().BindConfiguration(MetadataFetchOptions.Section).ValidateDataAnnotations()
            .Validate(o => MetadataFetchOptions.IsAllowedIn(o, builder.Environment.EnvironmentName),
                "Sso:MetadataFetch:AllowLoopback and Sso:MetadataFetch:TrustedCertificateFile are for tests only and refused outside Development and Testing.")
            .ValidateOnStart();
        services.AddOptions<MetadataRefreshOptions>().BindConfiguration(MetadataRefreshOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IHostResolver, DnsHostResolver>();
        services.AddSingleton<IdpMetadataFetcher>();
        services.AddSingleton<MetadataRefreshService>();
        services.AddHostedService(sp => sp.GetRequiredService<MetadataRefreshService>());
        // Service discovery resolves http://login-api through the AppHost's reference.
        // Its own resilience: the default's retries and 30 s total turned a Login.Api outage into a 29 s wait. One
        // quick retry for a refused connection only (never for Login.Api's own 503), all within the internal call timeout.
        var internalCall = TimeSpan.FromMilliseconds(DependencyClients.Options(builder.Configuration).InternalCallTimeoutMs);
        // RemoveAllResilienceHandlers is marked for evaluation; it is the documented way to replace the defaults' handler.
#pragma warning disable EXTEXP0001
        services.AddHttpClient<LoginApiBridge>(http => http.BaseAddress = new Uri("http://login-api"))
            .RemoveAllResilienceHandlers()
            .AddStandardResilienceHandler(o =>
            {
                o.TotalRequestTimeout.Timeout = internalCall;
                o.AttemptTimeout.Timeout = internalCall;
                o.Retry.MaxRetryAttempts = 1;
                o.Retry.Delay = TimeSpan.FromMilliseconds(100);
                o.Retry.ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is HttpRequestException);
            });
#pragma warning restore EXTEXP0001

        services.AddLocalization(o => o.ResourcesPath = "Resources");
        services.Configure<RequestLocalizationOptions>(o => PlatformCultures.Configure(o));
        // Razor and the SAML pages write non-Latin text as is rather than as numeric character references.
        services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o =>
            o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        services.AddRazorPages(o => o.Conventions.AuthorizeFolder("/Admin", AdminClaims.Policy)).AddViewLocalization();
        // The shared admin layout's language selector posts back to this service's page (see SsoModel.OnPostLanguage).
        services.AddAdminUi(languageAction: "/admin/sso?handler=Language");
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

    /// <summary>
    /// The schema is the <c>migrations</c> resource's job (this service starts after it completed); SP keys stored
    /// before 0003 are encrypted with the key ring here, since SQL cannot reach it (idempotent, so replicas may race).
    /// </summary>
    public static void InitializeDatabase(this WebApplication app) =>
        app.Services.GetRequiredService<SpSigningKeys>().MigratePlainKeysAsync().GetAwaiter().GetResult();

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
