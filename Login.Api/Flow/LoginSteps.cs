using AccessPlatform.Login.Data;
using AccessPlatform.Login.Devices;
using AccessPlatform.Login.Passkeys;
using AccessPlatform.Login.SecondFactor;
using AccessPlatform.Login.Sessions;

namespace AccessPlatform.Login.Flow;

/// <summary>
/// The one place that says which step follows which. Adding a step is one new class and one line here.
/// </summary>
public static class LoginSteps
{
    public static readonly Type[] Order =
    [
        typeof(IpBudgetStep),      // per-address failure budget across usernames
        typeof(PasswordStep),      // username and password (the SSO entry starts after the credential steps)
        typeof(PasskeySignInStep), // a passwordless sign-in starts here instead: the passkey is both factors
        typeof(AccessRulesStep),   // disabled, web access, SSO enforcement; re-checked on every resume
        typeof(DeviceCheckStep),   // trusted for this user on this browser?
        typeof(SecondFactorStep),  // the strongest factor the user has, on new devices
        typeof(TrustDeviceStep),   // after a passed second factor: trust this browser for this user, tell the user
        typeof(Sso.SsoLinkStep),   // the SSO link page: store the confirmed link, tell the user
        typeof(SessionStep),       // a new session
    ];

    public static IServiceCollection AddLoginFlow(this IServiceCollection services)
    {
        services.AddSingleton<ILoginStateStore, LoginStateStore>();
        services.AddSingleton<LoginBindingCookie>();
        services.AddSingleton<ILoginUsers>(sp => sp.GetRequiredService<UserStore>());
        services.AddScoped(sp => new LoginFlow(
            [.. Order.Select(type => (ILoginStep)ActivatorUtilities.CreateInstance(sp, type))],
            sp.GetRequiredService<ILoginStateStore>(), sp.GetRequiredService<ILoginUsers>(), sp.GetRequiredService<LoginBindingCookie>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<LoginFlow>>()));
        return services;
    }
}
