using AccessPlatform.Login.Errors;
using AccessPlatform.Login.AccountChanges;
using AccessPlatform.Contracts;
using AccessPlatform.Login.Admin;
using AccessPlatform.Login.Apis;
using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Devices;
using AccessPlatform.Login.SecondFactor;
using AccessPlatform.Login.Flow;
using AccessPlatform.Login.Localization;
using AccessPlatform.Login.Notifications;
using AccessPlatform.Login.Passkeys;
using AccessPlatform.Login.PasswordReset;
using AccessPlatform.Login.Passwords;
using AccessPlatform.Login.Sessions;
using AccessPlatform.Login.Signup;
using AccessPlatform.Login.Sso;
using AccessPlatform.Login.Telemetry;
using MassTransit;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Login;

public static class LoginServices
{
    public static void AddLoginServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // Server-side prepared statements for the few statements of the login path: less Postgres CPU per login.
        builder.AddPlatformNpgsqlDataSource("login-db", b =>
        {
            b.ConnectionStringBuilder.MaxAutoPrepare = 32;
            b.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
        });
        builder.AddPlatformRedisClient("redis");
        builder.AddPlatformDataProtection();
        builder.AddDependencyUnavailableHandling<WebApplicationBuilder, AvailabilityResource>();

        services.AddOptions<PasswordHashingOptions>().BindConfiguration(PasswordHashingOptions.Section);
        services.AddOptions<PasswordPolicyOptions>().BindConfiguration(PasswordPolicyOptions.Section);
        services.AddOptions<SessionLifetimeOptions>().BindConfiguration(SessionLifetimeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<LockoutOptions>().BindConfiguration(LockoutOptions.Section);
        services.AddOptions<IpFailureBudgetOptions>().BindConfiguration(IpFailureBudgetOptions.Section);
        services.AddOptions<PlatformOptions>().BindConfiguration("");
        services.AddOptions<OpsOptions>().BindConfiguration(OpsOptions.Section);

        if (builder.Configuration.GetValue("Testing:Enabled", false))
        {
            services.AddSingleton<TestClock>();
            services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<TestClock>());
        }
        else
        {
            services.AddSingleton(TimeProvider.System);
        }

        services.AddSingleton<LoginMetrics>();
        services.AddSingleton<PasswordHasher>();
        services.AddSingleton<PasswordPolicy>();
        services.AddSingleton<UserStore>();
        services.AddSingleton<LockoutStore>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<UserStateCache>();
        services.AddSingleton<SessionStore>();
        services.AddSingleton<SsoEnforcementRevocation>();
        services.AddSingleton<SessionCookie>();
        services.AddSingleton<IpFailureBudget>();
        services.AddSingleton<DevSeed>();
        services.AddScoped<UserNotifier>();
        services.AddScoped<NotificationOutbox>();
        services.AddOptions<NotificationOutboxOptions>().BindConfiguration(NotificationOutboxOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddHostedService<NotificationOutboxRelay>();
        services.AddSingleton<EmailComposer>();
        services.AddOptions<SecondFactorOptions>().BindConfiguration(SecondFactorOptions.Section);
        services.AddSingleton<TrustedDeviceStore>();
        services.AddSingleton<DeviceCookie>();
        services.AddSingleton<ChallengeLimiter>();
        services.AddSingleton<CodeDeliveryStore>();
        services.AddSingleton<Authenticator>();
        services.AddScoped<CodeSender>();
        services.AddScoped<LockoutPolicy>();
        services.AddScoped<PasswordCheck>();
        services.AddLoginFlow();
        services.AddSingleton<TotpSecretProtector>();
        services.AddSingleton<TotpSecretMigration>();
        services.AddScoped<AuthenticatorChanges>();
        services.AddSingleton<RecoveryCodeStore>();
        services.AddScoped<RecoveryCodeNotifier>();
        services.AddScoped<RecoveryCodeChanges>();
        services.AddScoped<SecondFactorReset>();
        services.AddScoped<ISecondFactorResetParticipant, AuthenticatorResetParticipant>();
        services.AddScoped<ISecondFactorResetParticipant, RecoveryCodesResetParticipant>();
        services.AddScoped<ISecondFactorResetParticipant, TrustedDevicesResetParticipant>();
        services.AddScoped<ISecondFactorResetParticipant, PasskeysResetParticipant>();
        services.AddOptions<ReauthenticationOptions>().BindConfiguration(ReauthenticationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ReauthenticationStore>();
        services.AddSingleton<RecentAuthentication>();
        services.AddScoped<Reauthenticator>();
        services.AddOptions<PasskeyOptions>().BindConfiguration(PasskeyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => PasskeyFido2.Create(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<PlatformOptions>>().Value.PublicOrigin,
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<PasskeyOptions>>().Value.ChallengeLifetime));
        services.AddSingleton<PasskeyVerifier>();
        services.AddSingleton<PasskeyStore>();
        services.AddSingleton<PasskeyChallengeStore>();
        services.AddSingleton<PasskeyLoginBinding>();
        services.AddScoped<PasskeyService>();
        services.AddSingleton<SsoLinkStore>();
        services.AddSingleton<SsoCodes>();
        services.AddSingleton<SsoLogoutTickets>();
        services.AddScoped<SsoSignIn>();
        services.AddScoped<SsoLinkNotifier>();
        services.AddScoped<SsoLinkRemoval>();
        services.AddOptions<PasswordResetOptions>().BindConfiguration(PasswordResetOptions.Section);
        services.AddSingleton<ResetTokenStore>();
        services.AddSingleton<TeamStore>();
        services.AddScoped<PasswordResets>();
        services.AddOptions<AccountChangeOptions>().BindConfiguration(AccountChangeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ContactChangeStore>();
        services.AddScoped<AccountChangeNotifier>();
        services.AddScoped<ContactChanges>();
        services.AddScoped<PhoneChanges>();
        services.AddScoped<PasswordChanges>();
        services.AddScoped<PreviousEmailNotice>();
        services.AddScoped<UserAdministration>();
        services.AddScoped<AccountPolicies>();
        services.AddSingleton<ForgotPasswordQueue>();
        services.AddHostedService<ForgotPasswordWorker>();
        // Sign-up is on in Development unless configured; elsewhere only when Signup:Enabled says so.
        services.AddOptions<SignupOptions>()
            .Configure(o => o.Enabled = builder.Environment.IsDevelopment())
            .BindConfiguration(SignupOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<AccountStore>();
        services.AddSingleton<SignupEnabledFilter>();
        services.AddScoped<SignupValidation>();
        services.AddScoped<Signups>();
        services.AddSingleton<PendingSignupCleanup>();
        services.AddHostedService<PendingSignupCleanupService>();

        services.AddLocalization(o => o.ResourcesPath = "Resources");
        services.Configure<RequestLocalizationOptions>(Cultures.Configure);
        services.AddRazorPages(o => o.Conventions.AuthorizeFolder("/Admin", AdminUsersApi.Policy)).AddViewLocalization();
        services.AddAdminUi(languageAction: "/language");
        // Pages speak twelve languages: emit their letters as text, not as numeric entities.
        services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o =>
            o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = builder.Environment.IsDevelopment() ? "ap_antiforgery" : "__Host-ap_antiforgery";
            o.Cookie.SecurePolicy = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
        });
        services.AddAuthentication(SessionClaims.Scheme)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, SessionAuthenticationHandler>(SessionClaims.Scheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(AdminUsersApi.Policy, p => p.RequireRole(Roles.AccountManager));

        builder.AddBehindGateway(RequestBodyLimits.Default);

        services.AddOptions<MessagingOptions>().BindConfiguration(MessagingOptions.Section);
        services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            bus.AddConsumer<DeliveryStatusConsumer>();
            // Messaging:QuorumQueues: every receive endpoint's queue (and MassTransit's _error/_skipped queues next to it) is a quorum queue.
            bus.AddConfigureEndpointsCallback((context, _, endpoint) =>
            {
                if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbitEndpoint && context.GetRequiredService<IOptions<MessagingOptions>>().Value.QuorumQueues)
                {
                    rabbitEndpoint.SetQuorumQueue();
                }
            });
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(new Uri(builder.Configuration.GetConnectionString("messaging")
                    ?? throw new InvalidOperationException("Connection string 'messaging' is missing.")));
                rabbit.ConfigureEndpoints(context);
            });
        });
    }

    /// <summary>
    /// The schema is the <c>migrations</c> resource's job (this service starts after it completed); what stays here
    /// needs this service's own parts: the key ring for old TOTP secrets, the password hasher for the demo users.
    /// Both are idempotent, so replicas starting together do no harm.
    /// </summary>
    public static async Task InitializeDatabaseAsync(this WebApplication app)
    {
        await app.Services.GetRequiredService<TotpSecretMigration>().RunAsync();
        if (app.Environment.IsDevelopment())
        {
            await app.Services.GetRequiredService<DevSeed>().SeedAsync();
        }
    }

    public static void UseLoginPipeline(this WebApplication app)
    {
        app.UseBehindGateway();
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseCookieApiCsrfGuard();
        app.UseRequestLocalization();
        // After localization, so the page for a missing address speaks the browser's language.
        app.UseStatusCodePage();
        app.UseAuthorization();
        app.UseAntiforgery();
    }
}
